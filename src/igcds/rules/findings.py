"""What a rule returns: which recommendation applies, the facts that fill its rationale, and the
FHIR references that triggered it. Wording lives in recommendations.yaml, keyed by `rec_id`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from igcds.domain.assessment import Priority
from igcds.domain.igrt_plan import IgrtPlan


class Flag(Enum):
    """What a finding means for the rules after it and for the dose plan, typed rather than read
    from recommendation ids."""

    THROMBOSIS_RISK = "thrombosis risk"
    RENAL_RISK = "renal risk"
    SC_ROUTE_ADVISED = "SC route advised"
    LIVE_VACCINES_BARRED = "live vaccines barred"


@dataclass(frozen=True, slots=True)
class Finding:
    rec_id: str
    values: Mapping[str, str] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    priority: Priority | None = None
    """Overrides the recommendation's default priority when the facts make it more pressing."""
    flags: frozenset[Flag] = frozenset()
    due: date | None = None
    """The date by which to act, when the rule knows one."""
    not_before: date | None = None
    """The earliest date to act, when the rule knows one."""


__all__ = ["Finding", "Flag", "IgrtPlan", "listing", "refs"]


def refs(items: Iterable[object]) -> tuple[str, ...]:
    """The `ref` of every item that has one, in order, without repeats."""
    seen: dict[str, None] = {}
    for item in items:
        ref = getattr(item, "ref", None)
        if isinstance(ref, str):
            seen.setdefault(ref, None)
    return tuple(seen)


def listing(texts: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [t for t in dict.fromkeys(texts) if t]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
