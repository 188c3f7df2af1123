"""Scope (issue 16): igcds is silent about patients it has no reason to speak about. Real Synthea
patients (SMART sample Bulk Data, Apache-2.0, tests/data/synthea) come back `not-in-scope` with no
recommendation, no data gap and no CDS Hooks card; their in-scope twins get the work-up, saying
why; and the resource-level scope signals (the population pre-filter) never miss a patient the
engine would speak about."""

from __future__ import annotations

import copy
import gzip
import json
import random
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from igcds import engine
from igcds.domain.assessment import Assessment
from igcds.domain.errors import KnowledgeError
from igcds.fhir import read
from igcds.fhir.scope import is_scope_signal
from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import make_policy
from tests.conftest import ROOT
from tests.fixtures import builder as b
from tests.fixtures.hooks import full_prefetch, hook_request, make_client
from tests.test_knowledge import broken

AS_OF = date(2026, 11, 23)
SYNTHEA = sorted((ROOT / "tests" / "data" / "synthea").glob("*.json.gz"))
SNOMED = "http://snomed.info/sct"


def synthea(name: str) -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(gzip.decompress((ROOT / "tests" / "data" / "synthea" / name).read_bytes()))
    return bundle


def assessed(bundle: dict[str, Any], kb: KnowledgeBase) -> Assessment:
    return engine.assess(read.read_bundle(bundle, AS_OF, kb), AS_OF, kb=kb)


def patient_view(client: TestClient, bundle: dict[str, Any]) -> list[dict[str, Any]]:
    resources = [entry["resource"] for entry in bundle["entry"]]
    patient_id = resources[0]["id"]
    response = client.post(
        "/cds-services/igcds-patient-view", json=hook_request("patient-view", patient_id, full_prefetch(resources))
    )
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def with_resources(bundle: dict[str, Any], *resources: dict[str, Any]) -> dict[str, Any]:
    twin = copy.deepcopy(bundle)
    twin["entry"] += [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return twin


def iv_antibiotic(mid: str, start: str) -> dict[str, Any]:
    order = b.medication(mid, "ceftriaxone 1 g injection", start, status="completed", kind="MedicationRequest")
    order["dosageInstruction"] = [{"route": b.concept(SNOMED, "47625008", "Intravenous route")}]
    return order


TWO_PNEUMONIAS_ON_IV = (
    b.condition("twin-pn-1", "J18.9", "Pneumonia, unspecified organism", "2026-02-10", clinical="resolved"),
    iv_antibiotic("twin-abx-1", "2026-02-10"),
    b.condition("twin-pn-2", "J18.9", "Pneumonia, unspecified organism", "2026-08-15", clinical="resolved"),
    iv_antibiotic("twin-abx-2", "2026-08-15"),
)
ONE_IGG = (b.ig("twin-igg-1", "igg", 900, "2026-10-01"),)


def test_the_synthea_copies_are_there_with_their_licence() -> None:
    assert len(SYNTHEA) >= 4
    assert "Apache License" in (ROOT / "tests" / "data" / "synthea" / "LICENSE").read_text(encoding="utf-8")
    assert len(synthea("largest-3489-resources.json.gz")["entry"]) == 3489


@pytest.mark.parametrize("path", SYNTHEA, ids=lambda p: p.name.removesuffix(".json.gz"))
def test_synthea_patient_is_not_in_scope_and_gets_no_card(path: Path, kb: KnowledgeBase, tmp_path: Path) -> None:
    bundle = synthea(path.name)
    result = assessed(bundle, kb)
    assert result.diagnosis.code == "not-in-scope"
    assert result.recommendations == ()
    assert result.data_gaps == ()
    assert result.dose is None
    assert result.diagnosis.label.startswith("Not in scope: no immunoglobulin result")
    assert "\n" not in result.diagnosis.label
    assert not any(c.met for c in result.diagnosis.criteria)
    with make_client(tmp_path) as client:
        assert patient_view(client, bundle) == []


@pytest.mark.parametrize("path", SYNTHEA, ids=lambda p: p.name.removesuffix(".json.gz"))
def test_synthea_patient_is_not_a_population_candidate(path: Path, kb: KnowledgeBase) -> None:
    """Not one of their resources (thousands, of every type) is a scope signal."""
    signals = [e["resource"]["id"] for e in synthea(path.name)["entry"] if is_scope_signal(e["resource"], kb)]
    assert signals == []


@pytest.mark.parametrize(
    ("added", "because", "signal_ids"),
    [
        (
            TWO_PNEUMONIAS_ON_IV,
            "2 pneumonias in the last 36 months",
            {"twin-pn-1", "twin-pn-2", "twin-abx-1", "twin-abx-2"},
        ),
        (ONE_IGG, "serum IgG, IgA or IgM", {"twin-igg-1"}),
    ],
    ids=["two-pneumonias-on-iv-antibiotics", "one-igg-result"],
)
def test_in_scope_twin_gets_its_workup_and_a_card(
    added: tuple[dict[str, Any], ...], because: str, signal_ids: set[str], kb: KnowledgeBase, tmp_path: Path
) -> None:
    """The 99-year-old woman of the export, with the warning signs or the result added."""
    twin = with_resources(synthea("woman-born-1927.json.gz"), *added)
    result = assessed(twin, kb)
    assert result.diagnosis.code == "insufficient-data"
    workup = [r for r in result.recommendations if r.code == "workup.serum-immunoglobulins"]
    assert len(workup) == 1
    assert because in workup[0].rationale
    assert {ref.split("/")[-1] for ref in workup[0].evidence} & signal_ids
    assert {"IgM"} <= {gap.field for gap in result.data_gaps}
    with make_client(tmp_path) as client:
        assert len(patient_view(client, twin)) == 1
    assert {r["id"] for r in added if is_scope_signal(r, kb)} == signal_ids


def test_iv_twin_is_in_scope_for_the_iv_sign_alone(kb: KnowledgeBase) -> None:
    """With a site counting three pneumonias, the IV-treated infections alone bring the boy in."""
    twin = with_resources(synthea("boy-born-2011.json.gz"), *TWO_PNEUMONIAS_ON_IV)
    record = read.read_bundle(twin, AS_OF, kb)
    policy = make_policy(kb.policy, {"scope_pneumonia_count": 3})
    result = engine.assess(record, AS_OF, policy, kb)
    rationale = next(r.rationale for r in result.recommendations if r.code == "workup.serum-immunoglobulins")
    assert "treated with intravenous antibiotics" in rationale
    assert "pneumonias" not in rationale


def test_every_example_stays_in_scope(kb: KnowledgeBase) -> None:
    for path in sorted((ROOT / "examples").glob("*.json")):
        result = assessed(json.loads(path.read_text(encoding="utf-8")), kb)
        assert result.diagnosis.code != "not-in-scope", path.name


WEIGHT_LOINC = "29463-7"


def _case_resources() -> list[dict[str, Any]]:
    """Every non-Patient resource of the clinical cases and examples: a pool to draw patients from.
    Each loses its patient reference (the drawn patient's is set by the Bundle builder), and body
    weights are left out (a weight impossible at the drawn age is an input error; scope does not
    read weights)."""
    pool = []
    for path in sorted((ROOT / "tests" / "cases").rglob("*.json")) + sorted((ROOT / "examples").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        bundle = document.get("bundle", document)
        for entry in bundle["entry"]:
            resource = {k: v for k, v in entry["resource"].items() if k not in ("subject", "patient")}
            codes = [c.get("code") for c in resource.get("code", {}).get("coding", [])]
            if resource["resourceType"] != "Patient" and WEIGHT_LOINC not in codes:
                pool.append(resource)
    return pool


def test_scope_signals_are_a_superset_on_a_generated_population(kb: KnowledgeBase) -> None:
    """Patients drawn at random from the cases' resources (ages from infant to old age): whenever
    the engine speaks, some resource of the patient is a scope signal; with no signal, it is silent."""
    pool = _case_resources()
    draw = random.Random(16)  # noqa: S311 - a reproducible test population, not a secret
    spoke = silent = 0
    for index in range(300):
        born = f"{draw.randint(1930, 2025)}-{draw.randint(1, 12):02d}-15"
        patient = b.patient(f"gen-{index}", draw.choice(["male", "female"]), born)
        resources = [copy.deepcopy(r) for r in draw.sample(pool, draw.randint(0, 6))]
        for number, resource in enumerate(resources):
            resource["id"] = f"r{number}-{resource.get('id', '')}"  # two draws may share an id
        result = assessed(b.bundle(patient, *resources), kb)
        candidate = any(is_scope_signal(r, kb) for r in resources)
        if result.diagnosis.code != "not-in-scope":
            spoke += 1
            assert candidate, [r["id"] for r in resources]
        else:
            silent += 1
            assert result.recommendations == ()
    assert spoke > 50  # the draw exercises both sides
    assert silent > 20


def test_signals_are_read_from_the_knowledge(kb: KnowledgeBase) -> None:
    """One definition: the pre-filter's codes come from scope.yaml and the value sets."""
    signals = kb.scope_signals
    assert {"2465-3", "2458-8", "2472-9", "2466-1", kb.valuesets.variant.code} <= signals.observation_loinc
    assert "19113-0" not in signals.observation_loinc  # IgE alone is not a reason to speak
    assert {"D80", "D83", "J18", "B59"} <= set(signals.condition_icd10_prefixes)
    assert "J12" not in signals.condition_icd10_prefixes  # viral pneumonia
    assert [m.name for m in signals.medications] == ["immune_globulin"]
    assert signals.fact_system == "urn:igcds:fact"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s["warning_signs"][0].update(infections=["pneumonia_martian"]), "no infection class"),
        (lambda s: s["warning_signs"][0].update(count_key="scope_pneumonia_cnt"), "no policy key"),
        (lambda s: s["record_criteria"][0].update(citations=["nobody-2099"]), "does not resolve"),
        (lambda s: s["record_criteria"][0].update(facts=True), "exactly one kind"),
        (lambda s: s["warning_signs"][0].update(citations=[]), "scope.yaml"),
    ],
    ids=["unknown-infection-class", "unknown-policy-key", "unresolved-citation", "two-kinds", "uncited-sign"],
)
def test_broken_scope_fails_loudly(mutate: Any, message: str) -> None:
    def on_scope(files: dict[str, Any]) -> None:
        mutate(files["scope.yaml"])

    with pytest.raises(KnowledgeError, match=re.escape(message)):
        loader.build(broken(on_scope), "test")
