"""Conditions with their dates: whether one existed or was active on the assessment date is the
core's decision. Reactions to immune globulin are read in `igcds.fhir.reactions`."""

from __future__ import annotations

from igcds.domain.record import Condition
from igcds.fhir.primitives import JsonObject, codings, concept_text, first_date

NOT_COUNTING_VERIFICATION = frozenset({"refuted", "entered-in-error"})
INACTIVE_CLINICAL = frozenset({"inactive", "remission", "resolved"})


def _status(resource: JsonObject, element: str) -> str | None:
    codes = codings(resource.get(element))
    return codes[0].code if codes else None


def read_condition(resource: JsonObject, ref: str) -> Condition | None:
    if _status(resource, "verificationStatus") in NOT_COUNTING_VERIFICATION:
        return None
    return Condition(
        codings=codings(resource.get("code")),
        text=concept_text(resource.get("code")),
        onset=first_date(resource, ref, ("onsetDateTime", "onsetPeriod.start", "recordedDate")),
        clinically_active=_status(resource, "clinicalStatus") not in INACTIVE_CLINICAL,
        abated=first_date(resource, ref, ("abatementDateTime", "abatementPeriod.end")),
        ref=ref,
    )
