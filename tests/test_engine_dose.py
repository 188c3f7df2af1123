"""The assessment's dose with products: the patient's own product, the site formulary, a requested
product, the SC switch for a patient on IVIG with a reason for SC, and the rate held down for the
patient's own risks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from igcds import engine
from igcds.domain.assessment import Assessment
from igcds.fhir import read
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import make_policy
from tests.conftest import ROOT

AS_OF = date(2026, 11, 23)


def assess_example(kb: KnowledgeBase, name: str, product: str | None = None, **policy: object) -> Assessment:
    bundle = json.loads(Path(ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    record = read.read_bundle(bundle, AS_OF, kb)
    return engine.assess(record, AS_OF, make_policy(kb.policy, policy), kb, engine.DoseRequest(product))


def test_patients_own_product_is_kept(kb: KnowledgeBase) -> None:
    """The woman on weekly SCIG in examples/ is recorded on Hizentra."""
    dose = assess_example(kb, "higm-aicda-woman-on-scig").dose
    assert dose is not None
    assert dose.product == "hizentra"
    assert dose.sc_infusion is not None
    assert dose.sc_infusion.limits_for == "later infusions"  # she is not new to it
    assert dose.ramp_up == ()


def test_site_formulary_product_for_a_new_start(kb: KnowledgeBase) -> None:
    assessment = assess_example(kb, "higm-cd40lg-boy", iv_product="privigen")
    assert assessment.dose is not None
    assert assessment.dose.product == "privigen"
    assert "product" not in {gap.field for gap in assessment.data_gaps}


def test_renal_and_thrombosis_risk_hold_the_rate_down(kb: KnowledgeBase, policy: object) -> None:
    """The 68-year-old on IVIG with CKD and hypertriglyceridaemia: the rate is capped."""
    dose = assess_example(kb, "sigmd-breakthrough-on-ivig", "privigen").dose
    assert dose is not None
    assert dose.iv_infusion is not None
    assert (
        dose.iv_infusion.max_rate_mg_kg_min == make_policy(kb.policy).products_and_infusion.at_risk_max_rate_mg_kg_min
    )
    assert any("renal risk" in note for note in dose.iv_infusion.notes)


def test_sc_switch_is_converted_for_a_patient_on_ivig_with_a_reason(kb: KnowledgeBase) -> None:
    """The 8-year-old on IVIG with poor venous access: the escalated IV dose, and the same dose
    converted to Cuvitru (factor 1.30) should he switch."""
    dose = assess_example(kb, "higm-suspected-boy-on-ivig", sc_product="cuvitru").dose
    assert dose is not None
    assert dose.route == "IV"
    assert dose.sc_switch is not None
    switch = dose.sc_switch
    assert (switch.route, switch.product, switch.conversion_factor, switch.interval_days) == ("SC", "cuvitru", 1.3, 7)
    assert switch.mg_per_kg == round(dose.mg_per_kg * 1.3 / 4, 1)
    assert any("one week after the last IV" in w for w in switch.warnings)


def test_sc_switch_without_an_sc_product_is_a_data_gap(kb: KnowledgeBase) -> None:
    assessment = assess_example(kb, "higm-suspected-boy-on-ivig")
    assert assessment.dose is not None
    assert assessment.dose.sc_switch is None
    assert "SC product" in {gap.field for gap in assessment.data_gaps}


def test_requested_product_for_the_wrong_route_is_a_data_gap(kb: KnowledgeBase) -> None:
    """Privigen is IV only; the woman on SCIG keeps her own product and the request is reported."""
    assessment = assess_example(kb, "higm-aicda-woman-on-scig", "privigen")
    assert assessment.dose is not None
    assert assessment.dose.product == "hizentra"
    assert any("not labelled for SC" in gap.effect for gap in assessment.data_gaps)


def test_every_dose_citation_resolves(kb: KnowledgeBase) -> None:
    for example in sorted((ROOT / "examples").glob("*.json")):
        for product in (None, "privigen", "hizentra"):
            dose = assess_example(kb, example.stem, product, sc_product="hizentra").dose
            if dose is not None:
                assert set(dose.cited()) <= set(kb.references), example.stem
