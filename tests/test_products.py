"""The product catalogue against its labels: one test per figure, each compared with the value
quoted from the label text it cites (igcds product research, 2026-11-23), so a mistyped figure in
products.yaml fails here. Also: the catalogue rejects inconsistent data."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from igcds.domain.errors import InputError, KnowledgeError
from igcds.dosing import catalogue
from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from tests.test_knowledge import raw_files

# (product, figure path, label value, the label's words)
LABEL_FIGURES: list[tuple[str, str, Any, str]] = [
    ("gammagard-liquid", "concentration_percent", 10, "contains 100 mg/mL protein"),
    (
        "gammagard-liquid",
        "vials",
        [1, 2.5, 5, 10, 20],
        "10 mL 1.0 ... 25 mL 2.5 ... 50 mL 5.0 ... 100 mL 10.0 ... 200 mL 20.0",
    ),
    ("gammagard-liquid", "iv.initial_rate_mg_kg_min", 0.8, "0.5 mL/kg/hr (0.8 mg/kg/min) for 30 minutes"),
    ("gammagard-liquid", "iv.initial_minutes", 30, "0.5 mL/kg/hr (0.8 mg/kg/min) for 30 minutes"),
    (
        "gammagard-liquid",
        "iv.max_rate_mg_kg_min",
        8,
        "Increase every 30 minutes (if tolerated) up to 5 mL/kg/hr (8 mg/kg/min)",
    ),
    ("gammagard-liquid", "sc.conversion_factor", 1.37, "1.37 x previous intravenous dose divided by # of weeks"),
    ("gammagard-liquid", "sc.max_sites", 8, "The number of simultaneous sites should be limited to 8"),
    ("gammagard-liquid", "iga_ug_per_ml", 37, "the average immunoglobulin A (IgA) concentration is 37 ug/mL"),
    ("privigen", "vials", [5, 40], "40 g/400 mL; Human Immunoglobulin G 5g in 50mL"),
    ("privigen", "iv.initial_rate_mg_kg_min", 0.5, "0.5 mg/kg/min (0.005 mL/kg/min)"),
    ("privigen", "iv.max_rate_mg_kg_min", 8, "Increase to 8 mg/kg/min (0.08 mL/kg/min)"),
    ("privigen", "contains_sucrose", False, "PRIVIGEN does not contain sucrose."),
    ("privigen", "iga_ug_per_ml", 25, "maximum IgA content is 25 micrograms/ml (EU)"),
    (
        "gamunex-c",
        "vials",
        [1, 2.5, 5, 10, 20, 40],
        "1 g (10 mL), 2.5 g (25 mL), 5 g (50 mL), 10 g (100 mL), 20 g (200 mL), or 40 g (400 mL)",
    ),
    ("gamunex-c", "iv.initial_rate_mg_kg_min", 1, "The recommended initial infusion rate is 1 mg/kg/min"),
    ("gamunex-c", "iv.max_rate_mg_kg_min", 8, "gradually increased to a maximum of 8 mg/kg/min"),
    ("gamunex-c", "sc.conversion_factor", 1.37, "1.37 x current IV dose in grams / number of weeks between IV doses"),
    ("octagam-5", "concentration_percent", 5, "immune globulin intravenous (human), 5% liquid"),
    ("octagam-5", "vials", [1, 2.5, 5, 10], "20 mL, 50 mL, 100 mL, 200 mL bottles of 50 mg/mL"),
    ("octagam-5", "iv.initial_rate_mg_kg_min", 0.5, "0.5 mg/kg/min (0.01 ml/kg/min)"),
    ("octagam-5", "iv.max_rate_mg_kg_min", 3.33, "3.33 mg/kg/min (0.07 ml/kg/min)"),
    ("octagam-5", "iv.at_risk_max_rate_mg_kg_min", 3.3, "less than 0.07 mL/kg/min [3.3 mg/kg/min]"),
    ("octagam-5", "iga_ug_per_ml", 200, "IGA CONTENT: <=200 ug/mL"),
    ("gammagard-sd", "iga_ug_per_ml", 1, "IgA less than 1 microgram per mL in a 5% Solution"),
    ("gammagard-sd", "contains_sucrose", False, "GAMMAGARD S/D does not contain sucrose."),
    ("hizentra", "vials", [1, 2, 4, 10], "0.2 g per mL ... vial (5, 10, 20 and 50 mL)"),
    (
        "hizentra",
        "sc.conversion_factor",
        1.37,
        "Previous IGIV dose (in grams) x 1.37 / No. of weeks between IGIV doses",
    ),
    (
        "hizentra",
        "sc.site_limits",
        [("first", 15, 15), ("later", 25, 25)],
        "Volume (mL/site) <=15 <=25; Rate (mL/hr/site) <=15 <=25",
    ),
    ("cuvitru", "vials", [1, 2, 4, 8], "Single-use vials (5mL, 10mL, 20mL, 40mL)"),
    ("cuvitru", "sc.conversion_factor", 1.30, "Previous IGIV or HYQVIA dose (in grams) x 1.30"),
    ("cuvitru", "sc.max_sites", 4, "up to 4 infusion sites simultaneously"),
    (
        "cuvitru",
        "sc.site_limits",
        [("first", 20, 20), ("first", 60, 20), ("later", 60, 60)],
        "<=20 <=60 mL/site, 10-20 mL/h/site; then 60 mL/h/site",
    ),
    ("cuvitru", "iga_ug_per_ml", 80, "The average immunoglobulin A (IgA) concentration is 80 mcg/mL"),
    ("xembify", "vials", [1, 2, 4], "5 mL, 10 mL, 20 mL vials of 200 mg/mL"),
    ("xembify", "sc.conversion_factor", None, "no factor in the label text read"),
    ("xembify", "sc.max_sites", 6, "up to 6 infusion sites simultaneously"),
    ("xembify", "sc.site_limits", [("all", 25, 25), ("all", 25, 35)], "2 to <10 years 25, <=25; >=10 years 25, <=35"),
    ("cutaquig", "concentration_percent", 16.5, "165 mg/mL"),
    ("cutaquig", "vials", [1.65], "10 mL in 1 VIAL, GLASS"),
    ("cutaquig", "sc.conversion_factor", 1.30, "Previous IVIg dose (in grams) x 1.3 / Number of weeks"),
    (
        "cutaquig",
        "sc.site_limits",
        [
            ("first", 25, 20),
            ("later", 40, 52),
            ("first", 15, 15),
            ("later", 29, 25),
            ("first", 10, 15),
            ("later", 15.5, 25),
        ],
        "Adults >=17 <=25 <=40 mL, <=20 <=52 mL/hr; 7-16 y <=15 <=29; 2-6 y <=10 <=15.5; children <=15 <=25 mL/hr",
    ),
    (
        "hyqvia",
        "vials",
        [2.5, 5, 10, 20, 30],
        "2.5 g/25 mL ... 5 g/50 mL ... 10 g/100 mL ... 20 g/200 mL ... 30 g/300 mL",
    ),
    ("hyqvia", "sc.frequency", "as-iv", "Same dose and frequency of IVIG (after initial ramp-up)"),
    (
        "hyqvia",
        "sc.ramp_up",
        {3: [(1, 1), (2, 2), (4, 3)], 4: [(1, 1), (2, 2), (4, 3), (7, 4)]},
        "Week 1 1-week-dose, 2 2-week-dose, 4 3-week-dose, 7 4th infusion (if required) 4-week-dose",
    ),
    ("hyqvia", "sc.interval_weeks", [3, 4], "300 to 600 mg/kg at 3 to 4 week intervals, after initial ramp-up"),
    (
        "hyqvia",
        "sc.hyaluronidase",
        (0.5, 1, 2, 10),
        "kit 0944-2511-02: 50 mL IG (5 g) with 2.5 mL HY ... HY at about 1 to 2 mL per minute per site ... "
        "start the IG within 10 minutes",
    ),
]


def figure(product: Any, path: str) -> Any:
    value = product
    for part in path.split("."):
        value = getattr(value, part)
    if path == "vials":
        return [v.grams for v in value]
    if path == "sc.site_limits":
        return [(s.infusions, s.ml_per_site, s.ml_h_per_site) for s in value]
    if path == "sc.hyaluronidase":
        return (
            value.ml_per_g,
            value.initial_ml_min_per_site_low,
            value.initial_ml_min_per_site_high,
            value.start_ig_within_minutes,
        )
    if path == "sc.ramp_up":
        return {weeks: [(s.week, s.dose_weeks) for s in steps] for weeks, steps in value.items()}
    return value


@pytest.mark.parametrize(("product_id", "path", "expected", "label_text"), LABEL_FIGURES, ids=lambda v: str(v)[:30])
def test_catalogue_figure_matches_its_label(
    kb: KnowledgeBase, product_id: str, path: str, expected: Any, label_text: str
) -> None:
    product = kb.products[product_id]
    assert figure(product, path) == expected, f"{product_id} {path} should be as the label says: {label_text}"
    cited = product.sources.get(path.split(".")[0], product.sources.get(path, [product.label]))
    for ref in cited:
        assert kb.references[ref].verification in {"verified", "verified-secondary"}, (product_id, path, ref)


def test_every_product_lists_what_remains_unverified(kb: KnowledgeBase) -> None:
    """A product without a figure says why (so the gap is a decision, not an oversight)."""
    for product in kb.products.values():
        if not product.vials:
            assert "vials" in product.unverified, product.id
        if product.iga_ug_per_ml is None:
            assert "iga_ug_per_ml" in product.unverified, product.id
        if product.contains_sucrose is None:
            assert "contains_sucrose" in product.unverified, product.id


def test_unknown_product_is_an_input_error_listing_the_known_ids(kb: KnowledgeBase) -> None:
    with pytest.raises(InputError) as raised:
        catalogue.product(kb, "gamunex")
    assert "gammagard-liquid" in str(raised.value)
    assert "hyqvia" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("privigen 10% iv", "privigen"),
        ("gammagard liquid 10% infusion", "gammagard-liquid"),
        ("hizentra 20% sc", "hizentra"),
        ("octagam 10%", None),  # a different product: not Octagam 5%
        ("immune globulin (human) 10%", None),
        ("privigen then hizentra", None),  # two products named: not guessed
    ],
)
def test_products_are_recognised_in_medication_text(kb: KnowledgeBase, text: str, expected: str | None) -> None:
    found = catalogue.recognise(kb, text)
    assert (found.id if found else None) == expected


def _broken(change: str) -> dict[str, Any]:
    files = copy.deepcopy(raw_files())
    products = files["products.yaml"]["products"]
    by_id = {p["id"]: p for p in products}
    if change == "vial volume":
        by_id["hizentra"]["vials"][0]["ml"] = 9
    elif change == "uncited source":
        by_id["hizentra"]["sources"]["vials"] = ["no-such-label"]
    elif change == "unknown figure":
        by_id["hizentra"]["unverified"]["sc.sites_max"] = "typo"
    elif change == "route without figures":
        by_id["privigen"]["routes"].append("SC")
    elif change == "policy choice":
        files["policy.yaml"]["keys"]["iv_product"]["choices"].append("hizentra")
    return files


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("vial volume", "vial 1 g in 9 mL"),
        ("uncited source", "does not resolve"),
        ("unknown figure", "names no figure"),
        ("route without figures", "SC figures missing"),
        ("policy choice", "not a IV product"),
    ],
)
def test_inconsistent_catalogue_fails_to_load(change: str, message: str) -> None:
    with pytest.raises(KnowledgeError, match=message):
        loader.build(_broken(change), "test")
