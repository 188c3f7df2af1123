"""How much evidence an output lists: at most EVIDENCE_SHOWN resources per criterion or
recommendation, the last given (the rules list facts oldest first, so the most recent), with
`evidence_total` counting them all. A record of a million results must not print a million
references (docs/fhir-input.md, Limits)."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from igcds.domain.assessment import Criterion, Recommendation

EVIDENCE_SHOWN = 20
Owner = TypeVar("Owner", Criterion, Recommendation)


def capped(owner: Owner) -> Owner:
    """The criterion or recommendation with its evidence (and judged values) cut to the last
    EVIDENCE_SHOWN, and the full count in `evidence_total`."""
    return replace(
        owner,
        evidence=owner.evidence[-EVIDENCE_SHOWN:],
        values=owner.values[-EVIDENCE_SHOWN:],
        evidence_total=len(owner.evidence),
    )
