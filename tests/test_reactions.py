"""Reactions to immune globulin (rules/reactions.py): the card and the dose follow one product
decision. Over every clinical case with a reaction, the product the card prefers is the product the
dose dispenses, a card that plans no product goes with a dose without one, and the dose never
dispenses a product the patient reacted to or whose label contraindication matches the record."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from igcds import engine
from igcds.domain.assessment import Assessment
from igcds.fhir import read
from igcds.knowledge import schema
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import make_policy
from igcds.rules import reactions
from igcds.rules.context import ClinicalContext

CASES = Path(__file__).parent / "cases"


def _with_reactions() -> list[Path]:
    found = []
    for path in sorted(CASES.rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        if '"AllergyIntolerance"' in text or '"AdverseEvent"' in text:
            found.append(path)
    return found


def _assess(path: Path, kb: KnowledgeBase) -> tuple[Assessment, ClinicalContext]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    as_of = date.fromisoformat(case["as_of"])
    policy = make_policy(kb.policy, case.get("policy", {}))
    record = read.read_bundle(case["bundle"], as_of, kb)
    return engine.assess(record, as_of, policy, kb), ClinicalContext(record.as_known_on(as_of), kb, policy, as_of)


REACTION_CASES = _with_reactions()


def test_there_are_reaction_cases_to_check() -> None:
    assert len(REACTION_CASES) >= 10


@pytest.mark.parametrize("path", REACTION_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_card_and_the_dose_name_the_same_product(path: Path, kb: KnowledgeBase) -> None:
    assessment, ctx = _assess(path, kb)
    dose = assessment.dose
    if dose is None:
        return
    choice = reactions.product_choice(ctx)
    assert dose.product not in dict(choice.excluded), f"{path.stem}: dispenses an excluded product"
    cards = {r.id: r.rationale for r in assessment.recommendations if r.id.startswith("IGRT-RXN")}
    preferred = [p for p in kb.products.values() if f"prefer {p.name}" in cards.get("IGRT-RXN-02", "")]
    if preferred:
        assert dose.product == preferred[0].id, f"{path.stem}: card prefers {preferred[0].id}, dose {dose.product}"
    if "igcds plans no product" in " ".join(cards.values()) or "IGRT-RXN-03" in cards:
        assert dose.product is None, f"{path.stem}: the card plans no product, the dose dispenses {dose.product}"


def test_a_reaction_on_the_sc_route_never_suggests_scig(kb: KnowledgeBase) -> None:
    assessment, _ = _assess(CASES / "safety.infusion-reactions" / "in-anaphylaxis-to-hizentra.json", kb)
    cards = {r.id: r.rationale for r in assessment.recommendations}
    assert "SCIG is not suggested" in cards["IGRT-RXN-01"]
    assert "consider subcutaneous" not in cards["IGRT-RXN-01"]
    assert "SCIG" not in cards["IGRT-RXN-02"].replace("SCIG is not suggested", "")
    assert "IGRT-SC-01" not in cards


def test_no_product_left_is_critical_and_keeps_the_grams(kb: KnowledgeBase) -> None:
    path = CASES / "safety.infusion-reactions" / "in-anaphylaxis-gammagard-sd-anti-iga.json"
    assessment, _ = _assess(path, kb)
    no_product = [r for r in assessment.recommendations if r.id == "IGRT-RXN-03"]
    assert [r.priority for r in no_product] == ["critical"]
    assert "Privigen 10%: label contraindication" in no_product[0].rationale
    assert assessment.dose is not None
    assert assessment.dose.product is None
    assert assessment.dose.dose_g == 28.0


def test_a_flagged_contraindication_must_quote_the_label(kb: KnowledgeBase) -> None:
    privigen = kb.products["privigen"].model_dump()
    privigen["contraindicated_when"] = [
        {"flag": "severe-reaction-to-immune-globulin", "text": "anaphylaxis (not in the label)", "citations": ["x"]}
    ]
    with pytest.raises(ValidationError, match="not in its contraindications"):
        schema.Product.model_validate(privigen)


def test_every_flag_cites_a_label_read(kb: KnowledgeBase) -> None:
    flagged = [p for p in kb.products.values() if p.contraindicated_when]
    assert {p.id for p in flagged} >= {"gammagard-liquid", "privigen", "octagam-5", "cuvitru", "xembify"}
    for product in flagged:
        assert product.contraindications_read, product.id
        for flag in product.contraindicated_when:
            assert set(flag.citations) <= set(product.sources["contraindications"]), product.id
