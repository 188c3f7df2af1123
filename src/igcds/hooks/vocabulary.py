"""Codes the CDS Hooks service sends. Override reasons are from the CDS Hooks non-adherence reason
code system, with their official displays (HL7/cds-hooks,
input/vocabulary/CodeSystem-non-adherence-reason-codes.json @16b2bfc7)."""

from __future__ import annotations

NON_ADHERENCE = "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes"
TOPIC_SYSTEM = "urn:igcds:recommendation-code"
SUMMARY_LIMIT = 140

OVERRIDE_REASONS: tuple[dict[str, str], ...] = tuple(
    {"system": NON_ADHERENCE, "code": code, "display": display}
    for code, display in (
        ("patient-ineligible", "Patient does not meet eligibility for recommended action"),
        ("indication-order-exists", "Patient has indication/order for intended action"),
        (
            "need-more-info",
            "Could not address recommended action due to need for more information/pending results/pending consult",
        ),
        ("expert-contradicts", "Advice from expert contradicts the recommended action"),
        ("policy-contradicts", "Institutional policy/guideline contradicts the recommended action"),
        ("risk-benefit-ratio", "Recipient assessment of risk/benefit ratio"),
        ("patient-contraindication", "Patient has contraindication to recommended action"),
        ("patient-refuses", "Patient refuses/declines (no context given)*"),
    )
)
