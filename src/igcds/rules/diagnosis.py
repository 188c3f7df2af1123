"""The working diagnosis (DESIGN.md §5 codes, §6.1 precedence):
hyper-IgM -> possible hyper-IgM -> other antibody deficiency -> secondary low IgM -> selective IgM
deficiency -> possible SIgMD -> not IgM deficiency -> insufficient data -> not in scope.
The laboratory pattern alone is never hyper-IgM (rules/higm_pattern.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import get_args

from igcds.domain.assessment import AntibodyResponse, Criterion, Diagnosis, DiagnosisCode, Genotype
from igcds.domain.record import LabResult
from igcds.rules import scope
from igcds.rules.context import ClinicalContext
from igcds.rules.higm_pattern import HigmPattern, interpretable_age, interpretable_low_igm
from igcds.rules.occasions import occasions
from igcds.rules.time_windows import within_months

GENOTYPES: tuple[Genotype, ...] = get_args(Genotype)
NOT_LOW = ("normal", "high")
LABELS: dict[DiagnosisCode, str] = {
    "hyper-igm-syndrome": "Hyper-IgM syndrome",
    "possible-hyper-igm-syndrome": "Possible hyper-IgM syndrome: the laboratory pattern without a confirmed "
    "diagnosis; work-up first",
    "other-antibody-deficiency": "Low IgM with low IgG or IgA: another antibody deficiency",
    "secondary-low-igm": "Low IgM with a recorded secondary cause",
    "selective-igm-deficiency": "Selective IgM deficiency",
    "possible-selective-igm-deficiency": "Possible selective IgM deficiency (work-up incomplete)",
    "not-igm-deficiency": "No IgM deficiency on the latest result",
    "insufficient-data": "Insufficient data: no interpretable IgM result",
    "not-in-scope": "Not in scope",
}


@dataclass(frozen=True, slots=True)
class GenotypeFinding:
    genotype: Genotype | None
    refs: tuple[str, ...]
    carrier_refs: tuple[str, ...]


def find_genotype(ctx: ClinicalContext, pattern_present: bool) -> GenotypeFinding:
    """A counting variant in a HIGM gene. CD40LG is X-linked: in a female it counts only when a
    homozygous or hemizygous state is recorded or she has the hyper-IgM laboratory pattern at an
    interpretable age (a symptomatic carrier; Bonilla 2015 SS40); otherwise, zygosity recorded or
    not, it is a carrier finding."""
    genes: dict[str, list[str]] = {}
    carriers: list[str] = []
    for variant in ctx.record.variants:
        counts_in_female = variant.homozygous_or_hemizygous or pattern_present
        if variant.gene == "CD40LG" and ctx.record.sex == "female" and not counts_in_female:
            carriers.append(variant.ref)
        elif variant.gene in GENOTYPES:
            genes.setdefault(variant.gene, []).append(variant.ref)
    for gene in GENOTYPES:  # most specific clinical consequence first
        if gene in genes:
            return GenotypeFinding(gene, tuple(genes[gene]), tuple(carriers))
    return GenotypeFinding(None, (), tuple(carriers))


def secondary_cause_refs(ctx: ClinicalContext) -> list[tuple[str, str]]:
    """(description, ref) of recorded secondary causes: active conditions, and drugs in use or
    whose last recorded date (the end, else the only date given) lies within
    `secondary_drug_window_months` (rituximab, for one, depletes B cells for months)."""
    found = [(c.text or "condition", c.ref) for c in ctx.conditions_in("secondary_low_igm")]
    matcher = ctx.kb.medications["secondary_low_igm_drugs"]
    window = ctx.policy.diagnosis.secondary_drug_window_months
    for use in ctx.medications_in("secondary_low_igm_drugs", active_only=False):
        last = use.end or use.start
        recent = use.active_on(ctx.as_of) or (last is not None and within_months(last, ctx.as_of, window))
        if recent:
            found.append((matcher.first_name_in(use.names) or use.names or "drug", use.ref))
    return found


def specific_antibody_response(ctx: ClinicalContext) -> tuple[AntibodyResponse, tuple[str, ...]]:
    fact = ctx.fact("pneumococcal-response")
    if fact is None:
        return "unknown", ()
    value, ref = fact
    return ("impaired" if value == "impaired" else "adequate"), (ref,)


def _refs(*results: LabResult | None) -> tuple[str, ...]:
    return tuple(r.ref for r in results if r is not None)


IGG2_LOINC = "2467-9"


def low_igg2(ctx: ClinicalContext) -> LabResult | None:
    """The latest IgG2, when low against the laboratory's own range (igcds has no verified age
    table for IgG subclasses, so without the lab's range it cannot judge one)."""
    found = [r for r in ctx.labs.results("igg_subclass") if r.loinc == IGG2_LOINC]
    return found[-1] if found and ctx.labs.judge(found[-1]) == "low" else None


def _possible_higm_label(ctx: ClinicalContext, higm: HigmPattern) -> str:
    head = "Possible hyper-IgM syndrome"
    if higm.suspected_cd40l:
        head += " (CD40L deficiency suspected in a boy until tested)"
    if higm.drawn_too_young:
        months = ctx.policy.diagnosis.higm_interpretable_from_age_months
        return (
            f"{head}: results drawn before {months} months of age (maternal IgG, "
            "physiological nadir) are not interpretable; repeat them"
        )
    missing = [] if higm.confirmed else ["not yet confirmed on a repeat"]
    if not higm.features:
        missing.append("no defining clinical feature")
    pattern = ", ".join(["the laboratory pattern", " and ".join(missing)]) if missing else "the laboratory pattern"
    return f"{head}: {pattern}; work-up first"


def _possible_sigmd_label(ctx: ClinicalContext, igm: LabResult | None) -> str | None:
    if igm is None or interpretable_age(ctx, igm):
        return None
    months = ctx.policy.diagnosis.higm_interpretable_from_age_months
    return (
        f"Possible selective IgM deficiency: IgM drawn before {months} months of age is not interpretable "
        "(physiologically low in infancy); repeat it"
    )


def _other_label(
    ctx: ClinicalContext, higm: HigmPattern, igg2: LabResult | None, secondary: list[tuple[str, str]]
) -> str | None:
    if secondary:
        causes = ", ".join(dict.fromkeys(d for d, _ in secondary))
        return (
            f"Low IgM with low IgG or IgA and a recorded secondary cause ({causes}): address the cause and "
            "re-test before calling it a primary antibody deficiency"
        )
    if higm.cvid_pattern:
        return "Low IgG and IgA with normal IgM in an adult: the CVID pattern (hyper-IgM unlikely)"
    if igg2 is not None:
        return (
            "Low IgM with low IgG2 and an impaired polysaccharide response: not selective IgM deficiency "
            "under ESID (IgM deficiency with an associated antibody defect)"
        )
    min_age = ctx.policy.diagnosis.cvid_min_age_years
    if ctx.has_reached_age(min_age) is False:
        return f"{LABELS['other-antibody-deficiency']} (CVID is not diagnosed before age {min_age:g})"
    return None


def diagnose(ctx: ClinicalContext) -> Diagnosis:
    # `not-in-scope` comes last in the precedence, but every other code rests on a scope criterion
    # (an IgM/IgG/IgA result, D80.4/D80.5, a hyper-IgM variant), so deciding it first gives the same
    # answer and spares out-of-scope patients (most charts) the rest of the work.
    if not scope.in_scope(ctx):
        return scope.out_of_scope(ctx)
    igm, igg, iga = ctx.labs.latest("igm"), ctx.labs.igg_for_diagnosis, ctx.labs.latest("iga")
    igm_low, igg_low, iga_low = (ctx.labs.judge(r) == "low" for r in (igm, igg, iga))
    igm_not_low = ctx.labs.judge(igm) in NOT_LOW
    higm = HigmPattern(ctx)
    genotype = find_genotype(ctx, higm.present and not higm.drawn_too_young)
    recorded_higm = ctx.conditions_in("hyper_igm", active_only=False)
    recorded_sigmd = ctx.conditions_in("selective_igm_deficiency", active_only=False)
    secondary = secondary_cause_refs(ctx)
    response, response_refs = specific_antibody_response(ctx)
    low_igm_twice = (
        igm_low and len(occasions(interpretable_low_igm(ctx), ctx.policy.diagnosis.igm_repeat_min_days)) >= 2
    )
    igg2 = low_igg2(ctx) if igm_low and response == "impaired" else None
    months = ctx.policy.diagnosis.higm_interpretable_from_age_months

    criteria: tuple[Criterion, ...] = (
        Criterion("IgM below the age-specific lower limit (latest result)", igm_low, _refs(igm)),
        Criterion("IgM low on at least two occasions", low_igm_twice, tuple(r.ref for r in interpretable_low_igm(ctx))),
        Criterion("IgG below the lower limit (last result before IgRT)", igg_low, _refs(igg)),
        Criterion("IgA below the lower limit", iga_low, _refs(iga)),
        Criterion("Hyper-IgM pattern: low IgG and IgA, IgM normal or raised", higm.present, higm.refs),
        Criterion(
            "Pattern confirmed on repeat (IgG low and IgM normal or raised on two days, "
            f"drawn from {months} months of age)",
            higm.confirmed,
            higm.confirmation_refs,
        ),
        Criterion(
            "Defining clinical feature (opportunistic infection, neutropenia, recurrent serious bacterial infection)",
            bool(higm.features),
            tuple(ref for f in higm.features for ref in f.refs),
        ),
        Criterion(
            "Pathogenic variant in a hyper-IgM gene (CD40LG, CD40, AICDA, UNG, IKBKG)",
            genotype.genotype is not None,
            genotype.refs,
        ),
        Criterion("Hyper-IgM recorded (ICD-10-CM D80.5)", bool(recorded_higm), tuple(c.ref for c in recorded_higm)),
        Criterion("Secondary cause of low IgM recorded", bool(secondary), tuple(ref for _, ref in secondary)),
        Criterion("Specific (pneumococcal) antibody response impaired", response == "impaired", response_refs),
    )
    if genotype.carrier_refs:
        name = "CD40LG variant in a female, not homozygous or hemizygous, without the hyper-IgM pattern (carrier)"
        criteria += (Criterion(name, True, genotype.carrier_refs),)
    if higm.drawn_too_young:
        criteria += (Criterion(f"Pattern drawn before {months} months of age: not interpretable", True, higm.refs),)
    if igg2 is not None:
        criteria += (Criterion("IgG2 below the laboratory's lower limit", True, (igg2.ref,)),)
    criteria = tuple(replace(c, values=ctx.labs.values_of(c.evidence)) for c in criteria)  # the values judged

    def result(code: DiagnosisCode, source: str = "computed", label: str | None = None) -> Diagnosis:
        is_higm = code == "hyper-igm-syndrome"
        possible = code == "possible-hyper-igm-syndrome" and higm.suspected_cd40l
        suspected = (is_higm and genotype.genotype is None and ctx.is_male) or possible
        return Diagnosis(
            code=code,
            label=label or LABELS[code],
            genotype=genotype.genotype if is_higm else None,
            source="recorded" if source == "recorded" else "computed",
            specific_antibody_response=response,
            criteria=criteria,
            suspected_cd40l_deficiency=suspected,
        )

    confirmed_pattern = higm.confirmed and bool(higm.features)
    if genotype.genotype is not None or recorded_higm or confirmed_pattern:
        source = "computed" if genotype.genotype or confirmed_pattern else "recorded"
        if genotype.genotype:
            label = f"Hyper-IgM syndrome ({genotype.genotype})"
        elif ctx.is_male:
            label = "Hyper-IgM syndrome (suspected CD40L deficiency: male, no genotype yet)"
        else:
            label = "Hyper-IgM syndrome (genotype not yet known)"
        return result("hyper-igm-syndrome", source, label)
    if higm.present and not higm.cvid_pattern:
        return result("possible-hyper-igm-syndrome", label=_possible_higm_label(ctx, higm))
    if higm.cvid_pattern or (igm_low and (igg_low or iga_low)) or igg2 is not None:
        return result("other-antibody-deficiency", label=_other_label(ctx, higm, igg2, secondary))
    if igm_low and secondary:
        causes = ", ".join(dict.fromkeys(d for d, _ in secondary))
        return result("secondary-low-igm", label=f"{LABELS['secondary-low-igm']} ({causes})")
    if low_igm_twice and ctx.labs.judge(igg) in NOT_LOW and ctx.labs.judge(iga) in NOT_LOW:
        return result("selective-igm-deficiency")
    if igm_low:
        return result("possible-selective-igm-deficiency", label=_possible_sigmd_label(ctx, igm))
    if igm is None and recorded_sigmd:
        return result("selective-igm-deficiency", "recorded", "Selective IgM deficiency (recorded diagnosis)")
    if igm_not_low:
        return result("not-igm-deficiency")
    return result("insufficient-data")
