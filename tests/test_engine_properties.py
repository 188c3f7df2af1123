"""Properties of `assess` over generated records: it never crashes on a well-formed record, and
the contract's invariants hold whatever the facts (DESIGN.md §6.1)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from igcds import engine
from igcds.fhir import read
from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import make_policy
from tests.fixtures import builder as b

AS_OF = date(2026, 11, 23)
INFECTIONS = [("J18.9", "Pneumonia"), ("J01.90", "Sinusitis"), ("H66.90", "Otitis media"), ("A41.9", "Sepsis")]
GENES = ["CD40LG", "CD40", "AICDA", "UNG", "IKBKG"]
PLAUSIBLE = loader.load().plausibility


def day(days_before: int) -> str:
    return (AS_OF - timedelta(days=days_before)).isoformat()


@st.composite
def bundles(draw: st.DrawFn) -> dict[str, Any]:
    born_days_ago = draw(st.integers(30, 30000))
    resources: list[dict[str, Any]] = [
        b.patient("p", draw(st.sampled_from(["male", "female", "unknown"])), day(born_days_ago))
    ]
    for analyte in ("igm", "igg", "iga"):
        for index in range(draw(st.integers(0, 2))):
            value = draw(st.floats(1, 2000))
            resources.append(b.ig(f"{analyte}-{index}", analyte, round(value, 1), day(draw(st.integers(0, 2000)))))
    for index in range(draw(st.integers(0, 5))):
        code, text = draw(st.sampled_from(INFECTIONS))
        resources.append(b.condition(f"inf-{index}", code, text, day(draw(st.integers(0, 800)))))
    for index in range(draw(st.integers(0, 4))):
        route = draw(st.sampled_from(["IV", "SC"]))
        resources.append(
            b.immune_globulin(
                f"ig-{index}", day(draw(st.integers(0, 900))), grams=draw(st.integers(1, 60)), route=route
            )
        )
    if draw(st.booleans()):
        # A weight possible at the age it was measured (an impossible pair is an input error).
        measured_days_ago = draw(st.integers(0, min(400, born_days_ago)))
        band = PLAUSIBLE.weight_band((born_days_ago - measured_days_ago) // 31)
        kg = draw(st.floats(max(4, band.low_kg), min(200, band.high_kg)))
        resources.append(b.weight("wt", kg, day(measured_days_ago)))
    if draw(st.booleans()):
        resources.append(b.variant("var", draw(st.sampled_from(GENES)), day(100)))
    if draw(st.booleans()):
        resources.append(b.condition("higm", "D80.5", "Hyper-IgM", day(3000)))
    if draw(st.booleans()):
        resources.append(
            b.fact("ppsv", "pneumococcal-response", day(50), draw(st.sampled_from(["adequate", "impaired"])))
        )
    if draw(st.booleans()):
        resources.append(b.medication("abx", "amoxicillin", day(draw(st.integers(0, 600))), prophylaxis=True))
    return b.bundle(*resources)


@settings(max_examples=300, deadline=None)
@given(bundles())
def test_contract_invariants_hold_for_any_record(kb: KnowledgeBase, bundle: dict[str, Any]) -> None:
    policy = make_policy(kb.policy)
    record = read.read_bundle(bundle, AS_OF, kb)
    result = engine.assess(record, AS_OF, policy, kb)
    codes = [r.code for r in result.recommendations]
    treatment = [c for c in codes if c.startswith("treatment.")]

    if "treatment.observe" in codes:
        assert treatment == ["treatment.observe"]
    assert not {"treatment.igrt-continue", "treatment.igrt-escalate"} <= set(codes)
    if "treatment.igrt-start" in codes:
        assert not engine.ClinicalContext(record, kb, policy, AS_OF).igrt.on_igrt
    if result.diagnosis.code == "hyper-igm-syndrome":
        assert "treatment.igrt-trial-off" not in codes
        assert "treatment.observe" not in codes
    ids = [r.id for r in result.recommendations]
    assert len(ids) == len(set(ids))  # each recommendation once
    priorities = [r.priority for r in result.recommendations]
    assert priorities == sorted(priorities, key=["critical", "urgent", "routine"].index)
    for rec in result.recommendations:
        assert rec.citations
        assert set(rec.citations) <= set(kb.references)
    if result.dose is not None:
        ceiling = policy.dosing.max_mg_per_kg_4wk * result.dose.interval_days / 28
        started = "treatment.igrt-start" in codes or "treatment.igrt-escalate" in codes
        assert result.dose.mg_per_kg <= ceiling + 0.05 or not started
        assert result.dose.dose_g > 0
