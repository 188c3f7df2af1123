"""`igcds products`: one line a catalogue product, what a pharmacist checks before choosing one,
and no figure shown that the catalogue has not verified."""

from __future__ import annotations

from igcds.knowledge.loader import KnowledgeBase
from tests.conftest import run_igcds


def lines_by_product() -> dict[str, str]:
    done = run_igcds("products")
    assert (done.code, done.err) == (0, "")
    return {line.split()[0]: line for line in done.out.splitlines()}


def test_every_product_is_listed_once(kb: KnowledgeBase) -> None:
    listed = lines_by_product()
    assert list(listed) == list(kb.products)
    for product_id, line in listed.items():
        assert kb.products[product_id].name in line


def test_line_shows_concentration_routes_vials_and_conversion_factor(kb: KnowledgeBase) -> None:
    listed = lines_by_product()
    for product_id, item in kb.products.items():
        line = listed[product_id]
        assert f"{item.concentration_percent:g}%; {'/'.join(item.routes)};" in line
        for vial in item.vials:
            assert f"{vial.grams:g} g" in line
        if item.sc and item.sc.conversion_factor:
            assert f"SC factor {item.sc.conversion_factor:g}" in line
        else:
            assert "SC factor" not in line


def test_unverified_figures_are_said_not_filled_in(kb: KnowledgeBase) -> None:
    listed = lines_by_product()
    for product_id, item in kb.products.items():
        assert ("vials not verified" in listed[product_id]) == (not item.vials)
        assert ("label date not verified" in listed[product_id]) == (item.label_date is None)
