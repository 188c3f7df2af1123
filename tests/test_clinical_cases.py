"""Clinical cases as data: every tests/cases/**/*.json holds a FHIR Bundle, the assessment date,
an optional site policy and what a clinician expects (always the diagnosis; codes present and
absent, priorities, dose figures). Each file is one test."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from igcds import engine
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import make_policy
from igcds.report import json_contract

CASES = sorted((Path(__file__).parent / "cases").rglob("*.json"))
HAND_WRITTEN = frozenset({"scope"})  # case folders kept as JSON, not generated from cases_spec


def test_there_are_cases_for_every_kind() -> None:
    kinds = {path.name.split("-")[0] for path in CASES}
    assert {"in", "out", "boundary"} <= kinds


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case(path: Path, kb: KnowledgeBase) -> None:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    as_of = date.fromisoformat(case["as_of"])
    policy = make_policy(kb.policy, case.get("policy", {}))
    record = read.read_bundle(case["bundle"], as_of, kb)
    result = json_contract.to_dict(engine.assess(record, as_of, policy, kb), kb)
    expect = case["expect"]
    codes = [r["code"] for r in result["recommendations"]]
    context = f"{case['title']}: got {result['diagnosis']['code']} {codes}"

    # Every case names its diagnosis: an `out` or `boundary` case cannot pass because the patient
    # fell out of the pathway it is about.
    assert result["diagnosis"]["code"] == expect["diagnosis"], context
    if "label_contains" in expect:  # e.g. the recorded secondary cause, named
        assert expect["label_contains"] in result["diagnosis"]["label"], context
    if "genotype" in expect:
        assert result["diagnosis"]["genotype"] == expect["genotype"], context
    for code in expect.get("present", []):
        assert code in codes, f"{code} missing. {context}"
    for code in expect.get("absent", []):
        assert code not in codes, f"{code} unexpected. {context}"
    for code, priority in expect.get("priority", {}).items():
        assert {r["priority"] for r in result["recommendations"] if r["code"] == code} == {priority}, context
    if "ids" in expect:
        ids = {r["id"] for r in result["recommendations"]}
        assert set(expect["ids"]) <= ids, context
    for rec_id, phrases in expect.get("rationale_contains", {}).items():  # the facts a clinician must read
        rationale = " ".join(r["rationale"] for r in result["recommendations"] if r["id"] == rec_id)
        for phrase in phrases:
            assert phrase in rationale, f"{rec_id} rationale lacks {phrase!r}: {rationale!r}. {context}"
    if "dose" in expect:
        if expect["dose"] is None:
            assert result["dose"] is None, context
        else:
            assert result["dose"] is not None, context
            for key, value in expect["dose"].items():
                got = result["dose"][key]
                if isinstance(value, dict):  # a nested part (part vial, weight arithmetic): the keys given
                    assert isinstance(got, dict), f"dose {key}: {got} != {value}. {context}"
                    got = {k: got.get(k) for k in value}
                assert got == _approx(value), f"dose {key}: {got} != {value}. {context}"
    if "data_gaps" in expect:
        fields = {gap["field"] for gap in result["data_gaps"]}
        assert set(expect["data_gaps"]) <= fields, context
    for said in expect.get("warnings", []):  # a warning starting with, or containing, this text
        assert any(said in warning for warning in result["warnings"]), f"no warning {said!r}. {context}"


def _approx(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return pytest.approx(value) if numeric else value


def test_case_files_match_their_spec() -> None:
    from tests.fixtures import cases_spec

    expected = {case.path: cases_spec.render(case) for case in cases_spec.CASES}
    generated = {path for path in CASES if path.parent.name not in HAND_WRITTEN}
    assert set(expected) == generated, "run: python -m tests.fixtures.cases_spec"
    for path, text in expected.items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: python -m tests.fixtures.cases_spec"
