"""FHIR primitive values read strictly: dates, quantities, codings. Every failure names the
resource and the field (e.g. `Observation/w1 valueQuantity.value`)."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from igcds.domain.errors import InputError
from igcds.domain.record import Coding

UCUM = "http://unitsofmeasure.org"
_DATE = re.compile(
    r"^(?P<y>\d{4})(-(?P<m>\d{2})(-(?P<d>\d{2})"
    r"(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)

JsonObject = dict[str, Any]
# No one alive was born before it (plausibility.yaml: max_age_years 125), and date arithmetic on
# year-1 dates overflows: an earlier date is a typing error.
EARLIEST_DATE = date(1900, 1, 1)
# No quantity igcds reads comes near this (a dose in mg, a count per uL): a larger one is an error
# of the record, refused before any arithmetic on it.
MAX_QUANTITY = 1e9


def _shown(value: object) -> str:
    """A value for an error line: its repr, cut short (a 400-digit number is not printed whole)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def parse_date(value: object, where: str, field: str) -> date:
    """A FHIR date or dateTime, reduced to its calendar date. Partial dates take the first day."""
    if not isinstance(value, str):
        raise InputError(where, field, f"expected a date, got {_shown(value)}")
    match = _DATE.match(value.strip())
    if match is None:
        raise InputError(where, field, f"not a FHIR date: {_shown(value)}")
    try:
        found = date(int(match["y"]), int(match["m"] or 1), int(match["d"] or 1))
    except ValueError:
        raise InputError(where, field, f"impossible date {value!r}") from None
    if found < EARLIEST_DATE:
        raise InputError(where, field, f"{value} is before {EARLIEST_DATE.year}: not a date in a patient's record")
    return found


def first_date(resource: JsonObject, where: str, paths: tuple[str, ...]) -> date | None:
    """The first present date among `paths` (dotted, e.g. 'effectivePeriod.start')."""
    for path in paths:
        value: Any = resource
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            return parse_date(value, where, path)
    return None


def codings(concept: object) -> tuple[Coding, ...]:
    """The codings of a CodeableConcept; tolerant of missing or odd elements."""
    if not isinstance(concept, dict):
        return ()
    listed = concept.get("coding")
    found = []
    for coding in listed if isinstance(listed, list) else ():  # the reader checks shapes; others tolerate
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            found.append(
                Coding(
                    system=str(coding.get("system", "")),
                    code=coding["code"].strip(),
                    display=str(coding.get("display", "")),
                )
            )
    return tuple(found)


def concept_text(concept: object) -> str:
    """Text and coding displays of a CodeableConcept, lower-cased, for name matching."""
    if not isinstance(concept, dict):
        return ""
    parts = [str(concept.get("text", "")).lower()]
    parts += [c.display.lower() for c in codings(concept)]
    return " ".join(dict.fromkeys(p for p in parts if p))


def quantity(value: object, where: str, field: str) -> tuple[float, str, str | None]:
    """(number, unit, comparator) of a Quantity. The UCUM code wins over the printed unit."""
    if not isinstance(value, dict):
        raise InputError(where, field, "expected a Quantity")
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise InputError(where, f"{field}.value", f"expected a number, got {_shown(number)}")
    try:
        number = float(number)
    except OverflowError:  # an integer of hundreds of digits
        number = math.inf
    if not math.isfinite(number) or abs(number) > MAX_QUANTITY:
        raise InputError(where, f"{field}.value", f"{_shown(value.get('value'))} is not a figure igcds can use")
    unit = value.get("code") if value.get("system") in (UCUM, None) and value.get("code") else None
    unit = unit or value.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        raise InputError(where, f"{field}.unit", "missing unit")
    comparator = value.get("comparator")
    if comparator not in (None, "<", "<=", ">", ">="):
        raise InputError(where, f"{field}.comparator", f"unknown comparator {comparator!r}")
    return number, unit.strip(), comparator


def reference_of(resource: JsonObject, full_url: object, index: int) -> str:
    """`Type/id`, else the entry's fullUrl, else the position in the Bundle."""
    rtype = str(resource.get("resourceType", "Resource"))
    rid = resource.get("id")
    if isinstance(rid, str) and rid:
        return f"{rtype}/{rid}"
    if isinstance(full_url, str) and full_url:
        return full_url
    return f"{rtype}/entry[{index}]"
