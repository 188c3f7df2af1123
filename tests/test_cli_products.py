"""`igcds products`: one table row a catalogue product with what a pharmacist checks before choosing
one (vials in g and mL, IgA, stabiliser, SC factor), the SC factor explained, and no figure shown
that the catalogue has not verified."""

from __future__ import annotations

from igcds.knowledge.loader import KnowledgeBase
from tests.conftest import run_igcds


def listing() -> str:
    done = run_igcds("products")
    assert (done.code, done.err) == (0, "")
    return done.out


def rows_by_product(kb: KnowledgeBase) -> dict[str, str]:
    return {line.split()[0]: line for line in listing().splitlines() if line.split() and line.split()[0] in kb.products}


def test_every_product_is_one_row_in_catalogue_order(kb: KnowledgeBase) -> None:
    assert list(rows_by_product(kb)) == list(kb.products)


def test_row_shows_vials_in_grams_and_ml_iga_stabiliser_and_factor(kb: KnowledgeBase) -> None:
    rows = rows_by_product(kb)
    for product_id, item in kb.products.items():
        row = rows[product_id]
        strength = f"{item.concentration_percent:g}%" if item.plannable else "recognised only"
        assert f" {strength} " in row
        assert "/".join(item.routes) in row
        for vial in item.vials:
            assert f"{vial.grams:g}/{vial.ml:g}" in row
        if item.iga_ug_per_ml is not None:
            assert f"{item.iga_ug_per_ml:g}" in row
        if item.stabiliser:
            assert item.stabiliser in row
    assert "maltose" in rows["octagam-5"]
    assert "proline" in rows["privigen"]
    assert "glycine" in rows["cuvitru"]
    assert "sucrose" in rows["carimune-nf"]
    assert rows["hizentra"].split()[-2] == "1.37"
    assert "as IV (1:1)" in rows["hyqvia"]


def test_unverified_figures_are_said_not_filled_in(kb: KnowledgeBase) -> None:
    rows = rows_by_product(kb)
    for product_id, item in kb.products.items():
        if not item.vials or item.iga_ug_per_ml is None or item.label_date is None:
            assert "not verified" in rows[product_id], product_id
    assert "IgA" in listing()


def test_the_sc_factor_is_explained() -> None:
    text = " ".join(listing().split())
    assert "weekly SC dose = IV dose x factor / weeks between IV doses" in text
    assert 'scig_conversion = "eu-1to1"' in text
