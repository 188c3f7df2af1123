"""Units igcds understands, and conversion to the unit each fact is held in.

Immunoglobulins are held in mg/dL, weight in kg, height in cm, absolute neutrophils in 10*3/uL.
UCUM codes are the contract (DESIGN.md §6); a few unambiguous spellings labs print are accepted
too. Anything else is an input error: a unit is never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# g/L x 100 = mg/dL (standards-fhir-cdshooks.md §2.2); mg/L x 0.1 = mg/dL.
IMMUNOGLOBULIN_TO_MG_DL: Final[Mapping[str, float]] = {
    "mg/dL": 1.0,
    "mg/dl": 1.0,
    "g/L": 100.0,
    "g/l": 100.0,
    "mg/L": 0.1,
    "mg/l": 0.1,
}
WEIGHT_TO_KG: Final[Mapping[str, float]] = {
    "kg": 1.0,
    "g": 0.001,
    "[lb_av]": 0.45359237,
    "lb": 0.45359237,
    "lbs": 0.45359237,
}
HEIGHT_TO_CM: Final[Mapping[str, float]] = {
    "cm": 1.0,
    "m": 100.0,
    "[in_i]": 2.54,
    "in": 2.54,
}
# 10*3/uL and 10*9/L are the same number; /uL (cells per microlitre) is a thousand times larger.
NEUTROPHILS_TO_THOUSANDS_PER_UL: Final[Mapping[str, float]] = {
    "10*3/uL": 1.0,
    "10*3/ul": 1.0,
    "10^3/uL": 1.0,
    "10*9/L": 1.0,
    "10^9/L": 1.0,
    "/uL": 0.001,
    "/ul": 0.001,
    "cells/uL": 0.001,
}
# IgE is informational only: accepted units, no conversion between them.
IGE_UNITS: Final[frozenset[str]] = frozenset({"kU/L", "k[IU]/L", "[IU]/mL", "IU/mL"})

CANONICAL_UNIT: Final[Mapping[str, str]] = {
    "immunoglobulin": "mg/dL",
    "weight": "kg",
    "height": "cm",
    "neutrophils": "10*3/uL",
}
CONVERSIONS: Final[Mapping[str, Mapping[str, float]]] = {
    "immunoglobulin": IMMUNOGLOBULIN_TO_MG_DL,
    "weight": WEIGHT_TO_KG,
    "height": HEIGHT_TO_CM,
    "neutrophils": NEUTROPHILS_TO_THOUSANDS_PER_UL,
}


class UnknownUnit(ValueError):
    """The unit is not one igcds can convert for this kind of quantity."""


def to_canonical(kind: str, value: float, unit: str) -> float:
    """Convert `value` in `unit` to the canonical unit of `kind`; raise UnknownUnit otherwise."""
    factors = CONVERSIONS[kind]
    try:
        factor = factors[unit.strip()]
    except KeyError:
        known = ", ".join(factors)
        raise UnknownUnit(f"unknown unit {unit!r} (expected one of {known})") from None
    # Twelve significant digits, so that 2.3 g/L is exactly 230 mg/dL at a range boundary.
    return float(f"{value * factor:.12g}")
