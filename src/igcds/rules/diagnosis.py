"""The working diagnosis (DESIGN.md §5 codes, §6.1 precedence):
hyper-IgM -> other antibody deficiency -> secondary low IgM -> selective IgM deficiency ->
possible SIgMD -> not IgM deficiency -> insufficient data -> not in scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from igcds.domain.assessment import AntibodyResponse, Criterion, Diagnosis, DiagnosisCode, Genotype
from igcds.domain.record import LabResult
from igcds.rules import scope
from igcds.rules.context import ClinicalContext
from igcds.rules.time_windows import within_months

GENOTYPES: tuple[Genotype, ...] = get_args(Genotype)
NOT_LOW = ("normal", "high")
LABELS: dict[DiagnosisCode, str] = {
    "hyper-igm-syndrome": "Hyper-IgM syndrome",
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


def find_genotype(ctx: ClinicalContext) -> GenotypeFinding:
    """A counting variant in a HIGM gene; a heterozygous CD40LG variant in a female is a carrier
    finding (X-linked), not a genotype."""
    genes: dict[str, list[str]] = {}
    carriers: list[str] = []
    for variant in ctx.record.variants:
        if variant.gene == "CD40LG" and variant.heterozygous and ctx.record.sex == "female":
            carriers.append(variant.ref)
        elif variant.gene in GENOTYPES:
            genes.setdefault(variant.gene, []).append(variant.ref)
    for gene in GENOTYPES:  # most specific clinical consequence first
        if gene in genes:
            return GenotypeFinding(gene, tuple(genes[gene]), tuple(carriers))
    return GenotypeFinding(None, (), tuple(carriers))


def secondary_cause_refs(ctx: ClinicalContext) -> list[tuple[str, str]]:
    """(description, ref) of recorded secondary causes: active conditions, and drugs in use or
    stopped within `secondary_drug_window_months` (rituximab, for one, depletes B cells for months)."""
    found = [(c.text or "condition", c.ref) for c in ctx.conditions_in("secondary_low_igm")]
    matcher = ctx.kb.medications["secondary_low_igm_drugs"]
    window = ctx.policy.secondary_drug_window_months
    for use in ctx.medications_in("secondary_low_igm_drugs", active_only=False):
        recent = use.active or (use.end is not None and within_months(use.end, ctx.as_of, window))
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


def diagnose(ctx: ClinicalContext) -> Diagnosis:
    # `not-in-scope` comes last in the precedence, but every other code rests on a scope criterion
    # (an IgM/IgG/IgA result, D80.4/D80.5, a hyper-IgM variant), so deciding it first gives the same
    # answer and spares out-of-scope patients (most charts) the rest of the work.
    if not scope.in_scope(ctx):
        return scope.out_of_scope(ctx)
    igm, igg, iga = ctx.latest("igm"), ctx.igg_for_diagnosis, ctx.latest("iga")
    igm_low, igg_low, iga_low = (ctx.judge(r) == "low" for r in (igm, igg, iga))
    igm_not_low = ctx.judge(igm) in NOT_LOW
    genotype = find_genotype(ctx)
    recorded_higm = ctx.conditions_in("hyper_igm", active_only=False)
    recorded_sigmd = ctx.conditions_in("selective_igm_deficiency", active_only=False)
    secondary = secondary_cause_refs(ctx)
    response, response_refs = specific_antibody_response(ctx)
    low_igm_twice = igm_low and len(ctx.low_igm_results) >= 2
    lab_higm_pattern = igg_low and iga_low and igm_not_low

    criteria: tuple[Criterion, ...] = (
        Criterion("IgM below the age-specific lower limit (latest result)", igm_low, _refs(igm)),
        Criterion("IgM low on at least two occasions", low_igm_twice, tuple(r.ref for r in ctx.low_igm_results)),
        Criterion("IgG below the lower limit (last result before IgRT)", igg_low, _refs(igg)),
        Criterion("IgA below the lower limit", iga_low, _refs(iga)),
        Criterion("Hyper-IgM pattern: low IgG and IgA, IgM normal or raised", lab_higm_pattern, _refs(igm, igg, iga)),
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
        criteria += (Criterion("Heterozygous CD40LG variant in a female (carrier)", True, genotype.carrier_refs),)

    def result(code: DiagnosisCode, source: str = "computed", label: str | None = None) -> Diagnosis:
        is_higm = code == "hyper-igm-syndrome"
        suspected = is_higm and genotype.genotype is None and ctx.is_male
        return Diagnosis(
            code=code,
            label=label or LABELS[code],
            genotype=genotype.genotype if is_higm else None,
            source="recorded" if source == "recorded" else "computed",
            specific_antibody_response=response,
            criteria=criteria,
            suspected_cd40l_deficiency=suspected,
        )

    if genotype.genotype is not None or lab_higm_pattern or recorded_higm:
        source = "computed" if genotype.genotype or lab_higm_pattern else "recorded"
        if genotype.genotype:
            label = f"Hyper-IgM syndrome ({genotype.genotype})"
        elif ctx.is_male:
            label = "Hyper-IgM syndrome (suspected CD40L deficiency: male, no genotype yet)"
        else:
            label = "Hyper-IgM syndrome (genotype not yet known)"
        return result("hyper-igm-syndrome", source, label)
    if igm_low and (igg_low or iga_low):
        return result("other-antibody-deficiency")
    if igm_low and secondary:
        return result("secondary-low-igm")
    if low_igm_twice and ctx.judge(igg) in NOT_LOW and ctx.judge(iga) in NOT_LOW:
        return result("selective-igm-deficiency")
    if igm_low:
        return result("possible-selective-igm-deficiency")
    if igm is None and recorded_sigmd:
        return result("selective-igm-deficiency", "recorded", "Selective IgM deficiency (recorded diagnosis)")
    if igm_not_low:
        return result("not-igm-deficiency")
    return result("insufficient-data")
