"""Work-up still missing, by diagnosis (ESID working definition via Janssen 2018/SIMcal; practice
parameter SS37-40, SS105)."""

from __future__ import annotations

from igcds.domain.assessment import Diagnosis
from igcds.rules import scope
from igcds.rules.context import ClinicalContext
from igcds.rules.diagnosis import secondary_cause_refs
from igcds.rules.findings import Finding, listing

LOW_IGM_STATES = frozenset(
    {"selective-igm-deficiency", "possible-selective-igm-deficiency", "other-antibody-deficiency", "secondary-low-igm"}
)
SIGMD_STATES = frozenset({"selective-igm-deficiency", "possible-selective-igm-deficiency"})


def findings(ctx: ClinicalContext, dx: Diagnosis) -> list[Finding]:
    found: list[Finding] = []
    igm = ctx.latest("igm")
    if dx.code == "insufficient-data" or (dx.code == "hyper-igm-syndrome" and igm is None):
        why = scope.reasons(ctx)  # which criterion or warning sign put the patient in scope
        refs = tuple(ref for reason in why for ref in reason.refs)
        found.append(Finding("WU-IG-01", {"in_scope_because": scope.described(why)}, refs))
    if dx.code == "possible-selective-igm-deficiency" and len(ctx.low_igm_results) < 2 and igm is not None:
        low, _ = ctx.reference_limits(igm)
        found.append(
            Finding(
                "WU-IGM-01",
                {
                    "igm_value": f"{igm.value:g} mg/dL",
                    "igm_date": igm.effective.isoformat(),
                    "lower_limit": f"{low:g} mg/dL" if low is not None else "the lower limit",
                },
                (igm.ref,),
            )
        )
    if dx.code in LOW_IGM_STATES:
        missing = [
            name
            for name, result in (("IgG", ctx.igg_for_diagnosis), ("IgA", ctx.latest("iga")), ("IgE", ctx.latest("ige")))
            if result is None
        ]
        if "IgG" in missing or "IgA" in missing:
            found.append(Finding("WU-IGGA-01", {"missing": listing(missing)}))
    if dx.code in SIGMD_STATES and not ctx.results("igg_subclass"):
        found.append(Finding("WU-SUB-01"))
    if (
        # Not for low IgG: a vaccine challenge would only delay IgRT that is already indicated.
        dx.code in SIGMD_STATES
        and dx.specific_antibody_response == "unknown"
        and not ctx.igrt.on_igrt
        and ctx.has_reached_age(ctx.policy.vaccine_response_min_age_years)
    ):
        found.append(Finding("WU-VAC-01", {"age_years": f"{ctx.age_years:.1f}"}))
    if (dx.code in LOW_IGM_STATES or dx.code == "hyper-igm-syndrome") and not ctx.results("lymphocyte_subsets"):
        found.append(Finding("WU-LYM-01"))
    secondary = secondary_cause_refs(ctx)
    if dx.code == "secondary-low-igm":
        found.append(Finding("WU-SEC-02", {"causes": listing(d for d, _ in secondary)}, tuple(r for _, r in secondary)))
    elif dx.code in SIGMD_STATES | {"other-antibody-deficiency"}:
        found.append(Finding("WU-SEC-01"))
    if dx.code == "hyper-igm-syndrome" and dx.genotype is None:
        suspected = (
            "suspected CD40L deficiency (X-linked)"
            if dx.suspected_cd40l_deficiency
            else "CD40 or another autosomal form, or a CD40LG variant in a female"
        )
        found.append(Finding("WU-GEN-01", {"sex": ctx.record.sex, "suspected": suspected}))
    return found
