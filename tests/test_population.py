"""The population run on a generated export (DuckDB engine): the same assessments as
`igcds assess` on each patient's Bundle, every Patient in exactly one bucket, errors and missing
patients reported, the worklist and measures consistent with the assessments.

Each patient's Bundle is regrouped here the slow, obvious way (json.loads and the FHIR references),
independently of the pipeline's keying, to hold the pipeline against."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from igcds import engine
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy
from igcds.population import synth
from igcds.population.progress import Progress
from igcds.population.run import RunSettings, run
from igcds.report import json_contract
from tests.conftest import run_igcds

AS_OF = date(2026, 11, 23)


def export_lines(export_dir: Path) -> list[str]:
    lines = []
    for path in sorted(export_dir.iterdir()):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            lines += [line.rstrip("\n") for line in handle if line.strip()]
    return lines


def _patient_of(resource: dict[str, Any]) -> str | None:
    for element in ("subject", "patient"):
        reference = (resource.get(element) or {}).get("reference", "")
        if reference.startswith("Patient/"):
            return str(reference.removeprefix("Patient/"))
    return None


def bundles_by_patient(export_dir: Path) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Every exported Patient's Bundle, and the patients with a line that is not JSON."""
    resources: dict[str, list[dict[str, Any]]] = defaultdict(list)
    medications: dict[str, dict[str, Any]] = {}
    unreadable: set[str] = set()
    for line in export_lines(export_dir):
        try:
            resource = json.loads(line)
        except ValueError:
            marker = line.find('"Patient/')
            unreadable.add(line[marker + 9 : line.index('"', marker + 9)])
            continue
        if resource["resourceType"] == "Patient":
            resources[resource["id"]].insert(0, resource)
        elif resource["resourceType"] == "Medication":
            medications[resource["id"]] = resource
        elif (patient := _patient_of(resource)) is not None:
            resources[patient].append(resource)
    bundles = {}
    for patient, owned in resources.items():
        if owned[0]["resourceType"] != "Patient":
            continue  # records of a patient who is not in the export
        referenced = [
            medications[r["medicationReference"]["reference"].removeprefix("Medication/")]
            for r in owned
            if "medicationReference" in r
        ]
        entries = [{"resource": r} for r in [*owned, *referenced]]
        bundles[patient] = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return bundles, unreadable


def read_ndjson(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("export")
    synth.generate(160, directory, seed=7, as_of=AS_OF, enrich=20)
    return directory


@pytest.fixture(scope="module")
def outputs(export: Path, tmp_path_factory: pytest.TempPathFactory, policy: Policy) -> Path:
    directory = tmp_path_factory.mktemp("out")
    run(export, directory, RunSettings(AS_OF, policy, workers=1), Progress(io.StringIO()))
    return directory


@pytest.fixture(scope="module")
def bundles(export: Path) -> dict[str, dict[str, Any]]:
    return bundles_by_patient(export)[0]


def assess_bundle(bundle: dict[str, Any], kb: KnowledgeBase, policy: Policy) -> dict[str, Any]:
    record = read.read_bundle(bundle, AS_OF, kb)
    rendered = json_contract.render(engine.assess(record, AS_OF, policy, kb), kb)
    contract: dict[str, Any] = json.loads(rendered)  # as `igcds assess --format json` prints it
    return contract


def test_each_assessment_is_what_assess_gives_on_the_patients_bundle(
    outputs: Path, bundles: dict[str, dict[str, Any]], kb: KnowledgeBase, policy: Policy
) -> None:
    assessed = read_ndjson(outputs / "assessments.ndjson")
    assert len(assessed) > 40  # every pathway is there (the export is enriched)
    diagnoses: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    for line in assessed:
        expected = assess_bundle(bundles[line["patient"]["id"]], kb, policy)
        assert line == expected
        diagnoses[expected["diagnosis"]["code"]] += 1
        codes.update(r["code"] for r in expected["recommendations"])
    summary = json.loads((outputs / "summary.json").read_text(encoding="utf-8"))
    assert summary["diagnoses"] == dict(diagnoses)
    assert summary["recommendations"] == dict(codes)
    assert {"hyper-igm-syndrome", "selective-igm-deficiency", "secondary-low-igm"} <= set(diagnoses)


def test_the_pre_filter_is_a_superset_no_non_candidate_gets_a_recommendation(
    outputs: Path, bundles: dict[str, dict[str, Any]], kb: KnowledgeBase, policy: Policy
) -> None:
    assessed = {line["patient"]["id"] for line in read_ndjson(outputs / "assessments.ndjson")}
    failed = {e["patient"] for e in read_ndjson(outputs / "errors.ndjson")}
    not_candidates = set(bundles) - assessed - failed
    assert len(not_candidates) > 30
    for patient in sorted(not_candidates):
        assert assess_bundle(bundles[patient], kb, policy)["recommendations"] == [], patient


def test_every_patient_is_in_exactly_one_bucket(outputs: Path, export: Path) -> None:
    exported = {json.loads(line)["id"] for line in export_lines(export) if line.startswith('{"resourceType":"Patient"')}
    assessed = [line["patient"]["id"] for line in read_ndjson(outputs / "assessments.ndjson")]
    failed = {e["patient"] for e in read_ndjson(outputs / "errors.ndjson")} & exported
    summary = json.loads((outputs / "summary.json").read_text(encoding="utf-8"))
    assert len(assessed) == len(set(assessed)) == summary["assessed"]
    assert not set(assessed) & failed
    assert len(failed) == summary["errors"] >= 3
    assert summary["patients_read"] == len(exported) == 160
    assert summary["assessed"] + summary["not_candidates"] + summary["errors"] == summary["patients_read"]


def test_unreadable_records_and_values_are_errors_and_the_run_goes_on(outputs: Path, export: Path) -> None:
    errors = read_ndjson(outputs / "errors.ndjson")
    _, unreadable = bundles_by_patient(export)
    assert unreadable
    for patient in unreadable:
        assert any(e["patient"] == patient and "unreadable" in e["message"] for e in errors)
    unit = next(e for e in errors if e["field"] == "valueQuantity.unit")
    assert unit["resource"].startswith("Observation/")
    assert "mg/furlong" in unit["message"]
    assert any(e["field"] == "gender" and "robot" in e["message"] for e in errors)


def test_records_of_patients_missing_from_the_export_are_counted_and_reported(outputs: Path) -> None:
    summary = json.loads((outputs / "summary.json").read_text(encoding="utf-8"))
    missing = [e for e in read_ndjson(outputs / "errors.ndjson") if "not in the export" in e["message"]]
    assert summary["missing_patients"] == len(missing) >= 1
    assert summary["orphan_resources"] >= 1
    assert all(e["patient"].endswith("-not-exported") for e in missing)


def test_worklist_one_row_per_patient_and_action_critical_first(outputs: Path) -> None:
    import pyarrow.parquet as pq

    with (outputs / "worklist.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert pq.read_table(outputs / "worklist.parquet").to_pylist() == rows
    order = {"critical": 0, "urgent": 1, "routine": 2}
    assert [order[r["priority"]] for r in rows] == sorted(order[r["priority"]] for r in rows)
    assert rows[0]["priority"] == "critical"
    expected = Counter(
        (line["patient"]["id"], r["code"], r["id"])
        for line in read_ndjson(outputs / "assessments.ndjson")
        for r in line["recommendations"]
    )
    assert Counter((r["patient"], r["code"], r["recommendation_id"]) for r in rows) == expected
    due = {
        (line["patient"]["id"], r["id"]): r.get("due") or AS_OF.isoformat()
        for line in read_ndjson(outputs / "assessments.ndjson")
        for r in line["recommendations"]
    }
    assert all(r["due_date"] == due[(r["patient"], r["recommendation_id"])] and r["reason"] for r in rows)


def test_measures_are_a_cited_fhir_bundle_counted_from_the_assessments(outputs: Path, kb: KnowledgeBase) -> None:
    bundle = json.loads((outputs / "measures.json").read_text(encoding="utf-8"))
    resources = [e["resource"] for e in bundle["entry"]]
    measures = {r["url"]: r for r in resources if r["resourceType"] == "Measure"}
    reports = [r for r in resources if r["resourceType"] == "MeasureReport"]
    assert len(measures) == len(reports) == len(kb.measures) >= 6
    for measure in measures.values():
        assert measure["relatedArtifact"]
        assert all(a["label"] in kb.references for a in measure["relatedArtifact"])
    assessed = read_ndjson(outputs / "assessments.ndjson")
    on_pjp_pathway = [a for a in assessed if any(r["code"] == "prophylaxis.pjp" for r in a["recommendations"])]
    counts = {
        r["measure"]: {p["code"]["coding"][0]["code"]: p["count"] for p in r["group"][0]["population"]} for r in reports
    }
    pjp = counts["urn:igcds:measure:cd40-pjp-prophylaxis"]
    assert pjp["initial-population"] == len(assessed)
    assert pjp["denominator"] == len(on_pjp_pathway) > 0
    continuing = [a for a in on_pjp_pathway if any(r["id"] == "HIGM-PJP-02" for r in a["recommendations"])]
    assert pjp["numerator"] == len(continuing)
    for report in reports:
        assert report["type"] == "summary"
        assert report["measure"] in measures


def test_the_process_pool_writes_the_same_files(export: Path, outputs: Path, tmp_path: Path, policy: Policy) -> None:
    run(export, tmp_path, RunSettings(AS_OF, policy, workers=2), Progress(io.StringIO()))
    for name in ("assessments.ndjson", "worklist.csv", "errors.ndjson", "measures.json"):
        assert (tmp_path / name).read_bytes() == (outputs / name).read_bytes(), name


def test_progress_is_plain_lines_when_not_a_terminal(export: Path, tmp_path: Path, policy: Policy) -> None:
    stream = io.StringIO()
    run(export, tmp_path, RunSettings(AS_OF, policy, workers=1), Progress(stream, interval_s=0))
    lines = stream.getvalue().splitlines()
    assert all(line.startswith("igcds population: ") for line in lines)
    assert any("patients/s" in line and "ETA" in line for line in lines)
    assert "\x1b" not in stream.getvalue()


def test_population_command_writes_every_output_and_rejects_bad_input(export: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from igcds.cli import app

    runner = CliRunner()
    done = runner.invoke(
        app, ["population", str(export), "--as-of", "2026-11-23", "--out", str(tmp_path), "--workers", "1"]
    )
    assert done.exit_code == 0, done.output
    names = {"assessments.ndjson", "worklist.parquet", "worklist.csv", "measures.json", "errors.ndjson", "summary.json"}
    assert names <= {p.name for p in tmp_path.iterdir()}
    bad = runner.invoke(app, ["population", str(tmp_path / "nowhere"), "--as-of", "2026-11-23"])
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines() == [
        f"error: {tmp_path / 'nowhere'}: not a directory (a FHIR Bulk Data export of NDJSON files)"
    ]
    no_java = runner.invoke(
        app,
        ["population", str(export), "--as-of", "2026-11-23", "--engine", "spark"],
        env={"PATH": "", "JAVA_HOME": ""},
    )
    assert no_java.exit_code == 2
    assert "needs Java 17" in no_java.output
    late = runner.invoke(app, ["population", str(export), "--as-of", "23/11/2026", "--out", str(tmp_path)])
    assert late.exit_code == 2
    assert "--as-of" in late.output


def test_the_docs_example_runs(tmp_path: Path) -> None:
    """docs/population.md's commands, run as written (in a temporary folder)."""
    import re
    import shlex

    from typer.testing import CliRunner

    from igcds.cli import app

    page = (Path(__file__).resolve().parents[1] / "docs" / "population.md").read_text(encoding="utf-8")
    block = re.findall(r"```console\n(.*?)```", page, flags=re.DOTALL)[0]
    commands = [shlex.split(line.removeprefix("$ ")) for line in block.splitlines() if line.startswith("$ igcds")]
    assert [c[1] for c in commands] == ["synth", "population"]
    runner = CliRunner()
    for _, *args in commands:
        args = [str(tmp_path / a) if a in ("export", "population-out") else a for a in args]
        done = runner.invoke(app, [*args, "--workers", "1"] if args[0] == "population" else args)
        assert done.exit_code == 0, done.output
    summary = json.loads((tmp_path / "population-out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["patients_read"] == 2000
    assert summary["assessed"] > 0


def test_progress_is_a_bar_with_rate_and_eta_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    items = list(Progress(stream).track(range(50), 50, "assessed"))
    assert items == list(range(50))
    shown = stream.getvalue()
    assert "assessed" in shown
    assert "50/50" in shown
    assert "patients/s" in shown


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("Patient.ndjson", b'{"resourceType":"Patient","id":"p\xff1","name":[{"family":"Smith"}]}\n', "not UTF-8"),
        ("Patient.ndjson.gz", b"not gzip", "not a gzip file"),
    ],
)
def test_a_file_duckdb_cannot_read_is_one_line_naming_it_never_the_record(
    tmp_path: Path, name: str, content: bytes, said: str
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / name).write_bytes(content)
    done = run_igcds("population", str(export), "--as-of", "2026-11-23", "--out", str(tmp_path / "out"))
    assert done.code == 2
    error = [line for line in done.err.splitlines() if line.startswith("error:")]
    assert len(error) == 1
    assert name in error[0]
    assert said in error[0]
    assert "Smith" not in done.err
