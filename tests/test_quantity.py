"""Units: every accepted unit converts to the canonical one; unknown units are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from igcds.domain import quantity

values = st.floats(min_value=0, max_value=1e5, allow_nan=False)


@pytest.mark.parametrize(
    ("kind", "value", "unit", "expected"),
    [
        ("immunoglobulin", 0.4, "g/L", 40.0),
        ("immunoglobulin", 400, "mg/L", 40.0),
        ("immunoglobulin", 40, "mg/dL", 40.0),
        ("weight", 22046.2262, "g", 22.0462262),
        ("weight", 100, "[lb_av]", 45.359237),
        ("height", 1.75, "m", 175.0),
        ("height", 70, "[in_i]", 177.8),
        ("neutrophils", 1500, "/uL", 1.5),
    ],
)
def test_conversion_to_canonical_unit(kind: str, value: float, unit: str, expected: float) -> None:
    assert quantity.to_canonical(kind, value, unit) == pytest.approx(expected)


@pytest.mark.parametrize(("kind", "unit"), [("immunoglobulin", "mmol/L"), ("weight", "stone"), ("height", "ft")])
def test_unknown_unit_is_refused_not_guessed(kind: str, unit: str) -> None:
    with pytest.raises(quantity.UnknownUnit, match=unit):
        quantity.to_canonical(kind, 1.0, unit)


@given(values)
def test_immunoglobulin_g_per_l_round_trips_through_mg_per_dl(value: float) -> None:
    mg_dl = quantity.to_canonical("immunoglobulin", value, "g/L")
    assert mg_dl / quantity.IMMUNOGLOBULIN_TO_MG_DL["g/L"] == pytest.approx(value, rel=1e-9, abs=1e-5)


@given(values, st.sampled_from(sorted(quantity.WEIGHT_TO_KG)))
def test_weight_round_trips(value: float, unit: str) -> None:
    kg = quantity.to_canonical("weight", value, unit)
    assert kg / quantity.WEIGHT_TO_KG[unit] == pytest.approx(value, rel=1e-9, abs=1e-5)


@given(values, values)
def test_conversion_preserves_order(a: float, b: float) -> None:
    """A lower value in g/L is never higher in mg/dL (the reference-range comparison relies on it)."""
    low, high = sorted((a, b))
    assert quantity.to_canonical("immunoglobulin", low, "g/L") <= quantity.to_canonical("immunoglobulin", high, "g/L")
