"""The example patients: the files match their spec, each is assessed as its story says, and
together they reach every diagnosis code and every recommendation code of the pathways."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from igcds import engine
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.report import json_contract
from tests.fixtures import examples_spec

AS_OF = date.fromisoformat(examples_spec.AS_OF)
EXPECTED_DIAGNOSIS = {
    "higm-cd40lg-boy": "hyper-igm-syndrome",
    "higm-suspected-boy-on-ivig": "hyper-igm-syndrome",
    "higm-aicda-woman-on-scig": "hyper-igm-syndrome",
    "higm-recorded-only": "hyper-igm-syndrome",
    "higm-cd40-girl-liver": "hyper-igm-syndrome",
    "sigmd-asymptomatic": "selective-igm-deficiency",
    "sigmd-recurrent-sinusitis": "selective-igm-deficiency",
    "sigmd-impaired-response-start": "selective-igm-deficiency",
    "sigmd-stable-trial-off": "selective-igm-deficiency",
    "sigmd-breakthrough-on-ivig": "selective-igm-deficiency",
    "sigmd-on-prophylaxis": "selective-igm-deficiency",
    "sigmd-on-scig-stable": "selective-igm-deficiency",
    "sigmd-after-ivig-course": "selective-igm-deficiency",
    "possible-sigmd-child": "possible-selective-igm-deficiency",
    "secondary-low-igm-rituximab": "secondary-low-igm",
    "other-antibody-deficiency": "other-antibody-deficiency",
    "not-igm-deficiency": "not-igm-deficiency",
    "insufficient-data": "insufficient-data",
    "higm-anaphylaxis-anti-iga": "hyper-igm-syndrome",
    "higm-infant-on-privigen": "hyper-igm-syndrome",
    "higm-breakthrough-pneumonia": "hyper-igm-syndrome",
    "higm-measles-exposure-on-scig": "hyper-igm-syndrome",
    "higm-measles-ivig-after-exposure": "hyper-igm-syndrome",
    "sigmd-pregnant-on-ivig": "selective-igm-deficiency",
    "sigmd-obese-adult-start": "selective-igm-deficiency",
    "possible-higm-infant": "possible-hyper-igm-syndrome",
    "possible-higm-toddler-otitis": "possible-hyper-igm-syndrome",
    "possible-higm-boy-pneumocystis": "possible-hyper-igm-syndrome",
    "possible-higm-girl-on-ivig": "possible-hyper-igm-syndrome",
    "possible-higm-boy-confirmed": "possible-hyper-igm-syndrome",
    "possible-higm-newborn-pneumocystis": "possible-hyper-igm-syndrome",
    "cvid-pattern-adult": "other-antibody-deficiency",
    "low-igm-igg-toddler": "other-antibody-deficiency",
}
DIAGNOSIS_CODES = set(EXPECTED_DIAGNOSIS.values())


def assessed(name: str, kb: KnowledgeBase) -> dict[str, Any]:
    bundle = json.loads((examples_spec.EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    record = read.read_bundle(bundle, AS_OF, kb)
    return json_contract.to_dict(engine.assess(record, AS_OF, kb=kb), kb)


@pytest.mark.parametrize("name", sorted(examples_spec.EXAMPLES))
def test_example_file_matches_its_spec(name: str) -> None:
    on_disk = (examples_spec.EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8")
    assert on_disk == examples_spec.render(name), "run: python -m tests.fixtures.examples_spec"


@pytest.mark.parametrize("name", sorted(examples_spec.EXAMPLES))
def test_example_diagnosis(name: str, kb: KnowledgeBase) -> None:
    assert assessed(name, kb)["diagnosis"]["code"] == EXPECTED_DIAGNOSIS[name]


def test_examples_cover_every_diagnosis_and_recommendation(kb: KnowledgeBase) -> None:
    results = [assessed(name, kb) for name in examples_spec.EXAMPLES]
    assert len(results) >= 12
    assert {r["diagnosis"]["code"] for r in results} == DIAGNOSIS_CODES
    reached = {rec["id"] for r in results for rec in r["recommendations"]}
    assert reached == set(kb.recommendations), f"never reached: {sorted(set(kb.recommendations) - reached)}"


def test_every_output_is_cited_and_disclaimed(kb: KnowledgeBase) -> None:
    for name in examples_spec.EXAMPLES:
        result = assessed(name, kb)
        assert "clinical judgement" in result["disclaimer"]
        cited = {ref["id"] for ref in result["references"]}
        for rec in result["recommendations"]:
            assert rec["citations"]
            assert set(rec["citations"]) <= cited
            assert rec["rationale"]
            assert "{" not in rec["rationale"]


TREATMENT_START_CONTINUE_ESCALATE = {"treatment.igrt-start", "treatment.igrt-continue", "treatment.igrt-escalate"}


@pytest.mark.parametrize("name", sorted(examples_spec.EXAMPLES))
def test_treatment_code_invariants(name: str, kb: KnowledgeBase) -> None:
    """DESIGN.md §6.1: observe stands alone; continue and escalate exclude each other; a dose
    accompanies start/continue/escalate unless a data gap says why not."""
    result = assessed(name, kb)
    codes = [r["code"] for r in result["recommendations"]]
    treatment = [c for c in codes if c.startswith("treatment.")]
    if "treatment.observe" in treatment:
        assert treatment == ["treatment.observe"]
    assert not {"treatment.igrt-continue", "treatment.igrt-escalate"} <= set(codes)
    if TREATMENT_START_CONTINUE_ESCALATE & set(codes):
        gaps = {g["field"] for g in result["data_gaps"]}
        assert result["dose"] is not None or gaps & {"weight", "immune globulin dose", "dosing weight"}
    else:
        assert result["dose"] is None


def test_examples_are_documented(kb: KnowledgeBase) -> None:
    readme = (Path(__file__).resolve().parents[1] / "examples" / "README.md").read_text(encoding="utf-8")
    for name in examples_spec.EXAMPLES:
        assert f"{name}.json" in readme
