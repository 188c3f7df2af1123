"""Every recommendation names the record facts it used (issue 9 item 12). Only a recommendation the
knowledge base declares `fires_on_absence` (a missing test, genotype or cause decides it) may cite
none. Checked over every example patient and every clinical case file, and by `igcds knowledge`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from igcds import engine
from igcds.domain.assessment import Assessment
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import make_policy
from tests.conftest import run_igcds
from tests.fixtures import examples_spec

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "tests" / "cases").rglob("*.json"))
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def _assess(document: dict[str, Any], kb: KnowledgeBase) -> Assessment:
    bundle = document.get("bundle", document)
    as_of = date.fromisoformat(document.get("as_of", examples_spec.AS_OF))
    policy = make_policy(kb.policy, document.get("policy", {}))
    return engine.assess(read.read_bundle(bundle, as_of, kb), as_of, policy, kb)


@pytest.mark.parametrize("path", EXAMPLES + CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_recommendation_cites_record_facts_or_is_declared(path: Path, kb: KnowledgeBase) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assessment = _assess(document, kb)
    assert engine.untraced(assessment, kb) == ()
    bundle = document.get("bundle", document)
    in_record = {
        f"{e['resource']['resourceType']}/{e['resource']['id']}" if "id" in e["resource"] else e.get("fullUrl")
        for e in bundle["entry"]
    }
    for rec in assessment.recommendations:  # and what it cites exists in this record
        assert set(rec.evidence) <= in_record, rec.id


def test_untraced_names_an_undeclared_recommendation_without_evidence(kb: KnowledgeBase) -> None:
    """The check can fail: strip the evidence from a recommendation that must cite facts."""
    from dataclasses import replace

    document = json.loads((ROOT / "examples" / "higm-cd40lg-boy.json").read_text(encoding="utf-8"))
    assessment = _assess(document, kb)
    stripped = tuple(replace(r, evidence=()) if r.id == "HIGM-LIVER-01" else r for r in assessment.recommendations)
    assert engine.untraced(replace(assessment, recommendations=stripped), kb) == ("HIGM-LIVER-01",)


def test_igcds_knowledge_reports_zero_over_the_examples() -> None:
    done = run_igcds("knowledge", "--records", "examples", "--as-of", examples_spec.AS_OF)
    assert done.code == 0, done.err
    assert f"0 recommendations with undeclared empty evidence over {len(EXAMPLES)} records" in done.out
    assert "9 recommendations declared fires_on_absence" in done.out


ON_IGRT_WORDING = ("on igrt", "on immunoglobulin replacement")


@pytest.mark.parametrize("path", EXAMPLES + CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_never_start_beside_on_igrt(path: Path, kb: KnowledgeBase) -> None:
    """Issue 9 item 10: a patient igcds tells to start IgRT is nowhere described as on it, and one
    described as on IgRT is never told to start it."""
    assessment = _assess(json.loads(path.read_text(encoding="utf-8")), kb)
    codes = {r.code for r in assessment.recommendations}
    says_on = [r.id for r in assessment.recommendations if r.rationale.lower().startswith(ON_IGRT_WORDING)]
    if "treatment.igrt-start" in codes:
        assert says_on == []
        assert not codes & {"treatment.igrt-continue", "treatment.igrt-escalate", "treatment.igrt-trial-off"}


def test_igcds_knowledge_names_a_file_that_is_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "case.json").write_text('{"title": "a case file, not a Bundle"}', encoding="utf-8")
    done = run_igcds("knowledge", "--records", str(tmp_path), "--as-of", examples_spec.AS_OF)
    assert done.code == 2
    assert done.err.startswith(f"error: {tmp_path / 'case.json'}: ")
    assert len(done.err.splitlines()) == 1


def test_confirmed_hyper_igm_on_igrt_has_no_igm_gap(kb: KnowledgeBase) -> None:
    """Issue 9 item 10: a CD40LG variant on IVIG needs no IgM result; no gap, no 'measure' advice."""
    folder = ROOT / "tests" / "cases" / "workup.serum-immunoglobulins"
    path = folder / "out-confirmed-hyper-igm-on-ivig-without-igm.json"
    assessment = _assess(json.loads(path.read_text(encoding="utf-8")), kb)
    assert assessment.diagnosis.code == "hyper-igm-syndrome"
    assert "IgM" not in {gap.field for gap in assessment.data_gaps}
    assert "workup.serum-immunoglobulins" not in {r.code for r in assessment.recommendations}
