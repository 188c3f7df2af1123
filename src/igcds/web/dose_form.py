"""The calculator's form: its fields, read into the core's `engine.DoseOrder` and a site policy
with the chosen dosing-weight rule. Read as `igcds dose` reads its options: choices in any case, no
route given is the product's only route (else IV), decided by the core. A figure that cannot be
read, or that the core refuses, is one message naming its field, as the command line names its
option."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from igcds import engine
from igcds.domain.errors import InputError
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy

LABELS = {
    "weight": "Weight (kg)",
    "height": "Height (cm)",
    "sex": "Sex",
    "age": "Age (years)",
    "route": "Route",
    "mg_per_kg": "Dose (mg/kg)",
    "interval_weeks": "Interval (weeks)",
    "product": "Product",
    "dosing_weight": "Dosing weight",
    "from_iv": "Convert from the IV regimen",
    "start_time": "Infusion start time",
    "risk": "Risk",
}
# How the core names a figure it refuses (its `igcds dose` option, or its figure name) -> field.
CORE_NAMES = {
    "route": "route",
    "weight": "weight",
    "height": "height",
    "sex": "sex",
    "age": "age",
    "mg_per_kg": "mg_per_kg",
    "interval": "interval_weeks",
    "interval_weeks": "interval_weeks",
    "product": "product",
    "from_iv": "from_iv",
}
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
DEFAULT_START = "09:00"
ROUTES = ("IV", "SC")  # `igcds dose --route`; none chosen: the core's default
SEXES = ("male", "female")
RISKS = ("thrombosis", "renal")  # `igcds dose --risk`


@dataclass(frozen=True, slots=True)
class DoseForm:
    """What the user typed (echoed back into the form) and what it means."""

    values: Mapping[str, Any]
    order: engine.DoseOrder | None
    dosing_weight: str
    start_minute: int
    error_field: str | None = None
    error: str | None = None
    risks: tuple[str, ...] = field(default=())


def _number(values: Mapping[str, Any], name: str) -> float | None:
    text = str(values.get(name) or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise FieldError(name, f"not a number: {text!r}") from None
    if not math.isfinite(number):
        raise FieldError(name, f"not a number: {text!r}")
    return number


def _choice(text: str, name: str, choices: tuple[str, ...]) -> str | None:
    """One of `choices` (the caller folds the case, as `igcds dose` does), or None when empty."""
    text = text.strip()
    if text and text not in choices:
        raise FieldError(name, f"{text!r} is not one of {', '.join(choices)}")
    return text or None


class FieldError(ValueError):
    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(f"{LABELS[name]}: {problem}")


def core_field(error: InputError) -> str | None:
    """The form field behind an error the core raised about a figure (`--weight`, `weight`, …)."""
    name = str(getattr(error, "figure", None) or error.where).lstrip("-").replace("-", "_")
    return CORE_NAMES.get(name)


def core_message(error: InputError) -> str:
    name = core_field(error)
    return f"{LABELS[name]}: {error.problem}" if name else str(error)


def read_form(values: Mapping[str, Any], risks: tuple[str, ...], site_policy: Policy) -> DoseForm:
    """The order for the core, or the first field at fault. No weight yet is no order and no error."""
    dosing_weight = str(values.get("dosing_weight") or site_policy.dosing.dosing_weight).strip().lower()
    start_text = str(values.get("start_time") or DEFAULT_START).strip()
    match = TIME.match(start_text)
    start_minute = int(match.group(1)) * 60 + int(match.group(2)) if match else 9 * 60

    def form(order: engine.DoseOrder | None, error: FieldError | None = None) -> DoseForm:
        return DoseForm(
            values=values,
            order=order,
            dosing_weight=dosing_weight,
            start_minute=start_minute,
            error_field=error.name if error else None,
            error=str(error) if error else None,
            risks=risks,
        )

    try:
        if match is None:
            raise FieldError("start_time", f"not a time (hh:mm): {start_text!r}")
        weight = _number(values, "weight")
        height = _number(values, "height")
        age = _number(values, "age")
        mg_per_kg = _number(values, "mg_per_kg")
        weeks = _number(values, "interval_weeks")
        route = _choice(str(values.get("route") or "").upper(), "route", ROUTES)
        sex = _choice(str(values.get("sex") or "").lower(), "sex", SEXES)
        chosen_risks = tuple(_choice(risk.lower(), "risk", RISKS) or "" for risk in risks)
    except FieldError as error:
        return form(None, error)
    if weight is None:
        return form(None)
    product = str(values.get("product") or "").strip() or None  # the core reads the id in any case
    order = engine.DoseOrder(
        weight_kg=weight,
        height_cm=height,
        sex=sex or "unknown",
        age_years=age,
        route="SC" if route == "SC" else "IV" if route == "IV" else None,
        mg_per_kg=mg_per_kg,
        # As `igcds dose --interval-weeks` reads it.
        interval_days=round(weeks * 7) if weeks is not None else None,
        product=product,
        from_iv=bool(values.get("from_iv")),
        risks=tuple(r for r in chosen_risks if r),
        new_to_product=not values.get("continuing"),
    )
    return form(order)


def policy_for(form: DoseForm, kb: KnowledgeBase, site_overrides: Mapping[str, Any]) -> Policy:
    """The site policy, with the dosing-weight rule the user chose (checked like a policy file)."""
    return make_policy(kb.policy, {**site_overrides, "dosing_weight": form.dosing_weight})
