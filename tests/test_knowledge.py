"""The knowledge base is consistent, and loading fails loudly when it is not."""

from __future__ import annotations

import copy
import re
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from igcds.domain.errors import KnowledgeError, PolicyError
from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy

DATA = Path(loader.__file__).parent / "data"
DESIGN_CODES = {
    "workup.repeat-igm", "workup.igg-iga", "workup.igg-subclasses", "workup.vaccine-response",
    "workup.lymphocyte-subsets", "workup.secondary-causes", "workup.genetic-testing", "treatment.observe",
    "treatment.antibiotic-prophylaxis", "treatment.igrt-start", "treatment.igrt-continue",
    "treatment.igrt-escalate", "treatment.route-scig", "treatment.igrt-trial-off", "prophylaxis.pjp",
    "prophylaxis.cryptosporidium", "referral.hsct", "treatment.neutropenia-gcsf",
    "safety.live-vaccines-contraindicated", "safety.thrombosis-risk", "safety.renal-risk", "safety.hyperviscosity",
    "safety.infusion-reactions", "monitor.infections", "monitor.trough-igg", "monitor.growth", "monitor.liver",
    "info.residual-mucosal-risk",
}  # fmt: skip
# Codes igcds added to the DESIGN.md §5 vocabulary (documented in docs/recommendation-codes.md).
ADDED_CODES = {
    "workup.serum-immunoglobulins",
    "info.autoimmunity-risk",
    "safety.vaccine-ig-interval",
    "prophylaxis.measles-exposure",
    "monitor.pregnancy",
    "workup.repeat-immunoglobulins",
    "workup.antibody-deficiency-classification",
    "monitor.lymphoid-autoimmunity",
}


@cache
def raw_files() -> dict[str, Any]:
    """The data files as parsed YAML, read once (each test mutates its own deep copy)."""
    return {name: yaml.safe_load((DATA / name).read_text(encoding="utf-8")) for name in loader.DATA_FILES}


def test_every_design_code_has_a_recommendation(kb: KnowledgeBase) -> None:
    codes = {rec.code for rec in kb.recommendations.values()}
    assert codes == DESIGN_CODES | ADDED_CODES


def test_every_recommendation_is_cited_with_verified_sources(kb: KnowledgeBase) -> None:
    for rec in kb.recommendations.values():
        assert rec.citations, rec.id
        for citation in rec.citations:
            assert kb.references[citation].verification in {"verified", "verified-secondary", "partial"}


def test_knowledge_lists_where_it_departs_from_the_source_documents(kb: KnowledgeBase) -> None:
    claims = " ".join(d.claim.lower() for d in kb.divergences.values())
    for departure in ("before each infusion", "12.4", "ivig is typically preferred", "28%", "33%", "20%"):
        assert departure in claims, departure


def test_unverified_figures_are_not_presented_as_sourced(kb: KnowledgeBase) -> None:
    """Figures the dossiers mark UNVERIFIED never appear in recommendation text."""
    text = " ".join(f"{r.statement} {r.rationale}" for r in kb.recommendations.values())
    for figure in ("12.4", "3.2 infections", "1.6", "0.16", "4-8 weeks", "4–8 weeks", "650", "diphenhydramine 25"):
        assert figure not in text, figure


def test_each_policy_section_holds_the_keys_policy_yaml_gives_it(kb: KnowledgeBase) -> None:
    in_yaml = {(entry.section, key) for key, entry in kb.policy.keys.items()}
    in_code = {(f.name, key.name) for f in fields(Policy) for key in fields(getattr(make_policy(kb.policy), f.name))}
    assert in_yaml == in_code
    assert make_policy(kb.policy, {"max_mg_per_kg_4wk": 700}).dosing.max_mg_per_kg_4wk == 700


def test_a_site_file_still_overrides_keys_by_flat_name(kb: KnowledgeBase) -> None:
    policy = make_policy(kb.policy, {"dosing_weight": "adjusted-if-obese", "display_units": "g/L"})
    assert (policy.dosing.dosing_weight, policy.report.display_units) == ("adjusted-if-obese", "g/L")
    assert policy.value("display_units") == "g/L"
    assert policy.overridden(display_units="mg/dL").report.display_units == "mg/dL"


def moved_key(files: dict[str, Any]) -> None:
    files["policy.yaml"]["keys"]["trough_target_mg_dl"]["section"] = "dosing"


def key_without_field(files: dict[str, Any]) -> None:
    files["policy.yaml"]["keys"]["trough_target_new_mg_dl"] = dict(files["policy.yaml"]["keys"]["trough_target_mg_dl"])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (moved_key, "trough_target_mg_dl is in section dosing, in Policy in trough"),
        (key_without_field, "trough_target_new_mg_dl has no field in the trough section of Policy"),
        (
            lambda f: f["policy.yaml"]["keys"].pop("obesity_bmi"),
            "no key obesity_bmi for the field in the dosing section",
        ),
        (lambda f: f["policy.yaml"]["keys"]["obesity_bmi"].update(section="weights"), "obesity_bmi.section"),
        (lambda f: f["policy.yaml"]["keys"]["obesity_bmi"].pop("section"), "obesity_bmi.section"),
    ],
    ids=["key in another section", "key without a field", "field without a key", "unknown section", "no section"],
)
def test_policy_yaml_and_policy_sections_must_agree(mutate: Any, message: str) -> None:
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        loader.build(broken(mutate), "test")


def test_policy_override_is_validated(kb: KnowledgeBase) -> None:
    assert make_policy(kb.policy, {"trough_target_mg_dl": 700}).trough.trough_target_mg_dl == 700
    with pytest.raises(PolicyError, match="recurrent_infection_count"):
        make_policy(kb.policy, {"recurrent_infection_count": 2.5})
    with pytest.raises(PolicyError, match="unknown policy key"):
        make_policy(kb.policy, {"trough_target": 700})


def broken(mutate: Any) -> dict[str, Any]:
    files = copy.deepcopy(raw_files())
    mutate(files)
    return files


@pytest.mark.parametrize(
    ("name", "mutate", "message"),
    [
        (
            "duplicate recommendation id",
            lambda f: f["recommendations.yaml"]["recommendations"].append(
                f["recommendations.yaml"]["recommendations"][0]
            ),
            "duplicate id",
        ),
        (
            "citation that does not resolve",
            lambda f: f["recommendations.yaml"]["recommendations"][0].update(citations=["nobody-2099"]),
            "does not resolve",
        ),
        (
            "unknown key (schema error)",
            lambda f: f["recommendations.yaml"]["recommendations"][0].update(strenght="strong"),
            "recommendations.yaml",
        ),
        (
            "recommendation without citations",
            lambda f: f["recommendations.yaml"]["recommendations"][0].update(citations=[]),
            "citations",
        ),
        (
            "gap between reference-range bands",
            lambda f: f["reference_ranges.yaml"]["bands"][1].update(min_age_months=6),
            "gap or overlap",
        ),
        (
            "policy default outside its range",
            lambda f: f["policy.yaml"]["keys"]["trough_target_mg_dl"].update(default=5000),
            "outside its range",
        ),
        (
            "divergence that cites nothing",
            lambda f: f["divergences.yaml"]["divergences"][0].update(citations=[], finding="corrected"),
            "without a citation",
        ),
    ],
)
def test_broken_knowledge_fails_loudly(name: str, mutate: Any, message: str) -> None:
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        loader.build(broken(mutate), "test")


def test_reference_ranges_are_the_mayo_table(kb: KnowledgeBase) -> None:
    adult = kb.reference_ranges.bands[-1]
    assert (adult.min_age_months, adult.igm, adult.igg, adult.iga) == (216, (37, 286), (767, 1590), (61, 356))
