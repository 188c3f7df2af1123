"""The synthetic Bulk Data generator: reproducible from its seed, shaped like an export (a file per
type, several per type, gzip, shuffled), every pathway present when enriched, broken records in."""

from __future__ import annotations

import gzip
import itertools
import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from igcds.cli import app
from igcds.population import synth

AS_OF = date(2026, 11, 23)


def test_the_same_seed_writes_the_same_export_and_another_seed_does_not(tmp_path: Path) -> None:
    synth.generate(60, tmp_path / "a", seed=5, as_of=AS_OF)
    synth.generate(60, tmp_path / "b", seed=5, as_of=AS_OF)
    synth.generate(60, tmp_path / "c", seed=6, as_of=AS_OF)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    first = [(tmp_path / "a" / n).read_bytes() for n in names if not n.endswith(".gz")]
    assert first == [(tmp_path / "b" / n).read_bytes() for n in names if not n.endswith(".gz")]
    assert (tmp_path / "a" / "Patient.000.ndjson").read_bytes() != (tmp_path / "c" / "Patient.000.ndjson").read_bytes()


def test_an_export_shape_shuffled_across_patients_with_broken_records(tmp_path: Path) -> None:
    counts = synth.generate(200, tmp_path, seed=2, as_of=AS_OF, enrich=20)
    assert {name for name, _, _ in synth.PREVALENCE} <= set(counts)
    assert sum(counts.values()) == 200
    assert (tmp_path / "Observation.000.ndjson").exists()
    with gzip.open(tmp_path / "Observation.001.ndjson.gz", "rt", encoding="utf-8") as handle:
        zipped = handle.read().splitlines()
    plain = (tmp_path / "Observation.000.ndjson").read_text(encoding="utf-8").splitlines()
    lines = plain + zipped
    subjects = [json.loads(x)["subject"]["reference"] for x in lines if x.endswith("}")]
    runs = sum(1 for a, b in itertools.pairwise(subjects) if a != b)
    assert runs > len(subjects) / 2  # neighbours mostly belong to different patients
    every = [x for p in tmp_path.glob("*.ndjson") for x in p.read_text(encoding="utf-8").splitlines()]
    every += [x for p in tmp_path.glob("*.gz") for x in gzip.decompress(p.read_bytes()).decode().splitlines()]
    assert sum(1 for x in every if not x.endswith("}")) == 1  # cut short, as a failed write leaves it
    assert any("-not-exported" in x for x in lines)
    assert any('"mg/furlong"' in x for x in lines)
    assert '"gender":"robot"' in (tmp_path / "Patient.000.ndjson").read_text(encoding="utf-8")


def test_synth_command_reports_the_pathways_and_rejects_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["synth", "40", str(tmp_path / "x"), "--seed", "3", "--as-of", "2026-11-23"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"40 patients written to {tmp_path / 'x'} (seed 3)")
    assert "background" in done.output
    assert len((tmp_path / "x" / "Patient.000.ndjson").read_text(encoding="utf-8").splitlines()) == 40
    bad = runner.invoke(app, ["synth", "10", str(tmp_path / "y"), "--enrich", "1000"])
    assert bad.exit_code == 2
    assert bad.output.startswith("error: --enrich: enrich 1000")
