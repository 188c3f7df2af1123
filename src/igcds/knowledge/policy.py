"""Site policy: the defaults in `data/policy.yaml`, overridden per site. Every threshold the rules
use is a field here, so no clinical number hides in rule code. A site writes its overrides, and
its service settings, in TOML files; the shells read the files and `site_table` and
`policy_from_toml` check their text, so every igcds file is judged by the same rules."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Any, Literal, get_type_hints

from pydantic import TypeAdapter, ValidationError

from igcds.domain.errors import InputError, KnowledgeError, PolicyError
from igcds.knowledge import schema


@dataclass(frozen=True, slots=True)
class DosingPolicy:
    dosing_weight: Literal["actual", "adjusted-if-obese", "australia-nba"]
    obesity_bmi: float
    rounding: Literal["vial", "nearest-5g", "none"]
    scig_conversion: Literal["us-label", "eu-1to1"]
    ivig_start_mg_per_kg: float
    ivig_interval_weeks: int
    scig_start_mg_per_kg_week: float
    escalation_step_mg_per_kg_4wk: float
    max_mg_per_kg_4wk: float
    vial_rounding_max_percent: float
    height_check_weight_kg: float
    order_dose_tolerance_percent: float


@dataclass(frozen=True, slots=True)
class TroughPolicy:
    trough_target_mg_dl: float
    trough_window_days: int
    trough_slope_iv_mg_dl_per_100mg_kg_month: float
    trough_slope_sc_mg_dl_per_100mg_kg_month: float
    individual_model_min_points: int
    individual_model_min_dose_spread_mg_kg_4wk: float


@dataclass(frozen=True, slots=True)
class InfectionsPolicy:
    recurrent_infection_count: int
    recurrence_window_months: int
    breakthrough_infection_count: int
    breakthrough_window_months: int
    prophylaxis_failure_count: int
    prophylaxis_failure_min_months: int
    prophylaxis_continuous_days: int
    higm_serious_infection_count: int


@dataclass(frozen=True, slots=True)
class ScopePolicy:
    scope_lookback_months: int
    scope_recurrence_window_months: int
    scope_pneumonia_count: int
    scope_serious_infection_count: int
    scope_iv_antibiotic_days: int
    scope_iv_treated_infection_count: int
    scope_otitis_count_under_5: int
    scope_otitis_count: int
    scope_respiratory_infection_count: int


@dataclass(frozen=True, slots=True)
class DiagnosisPolicy:
    hsct_preferred_age_years: float
    neutropenia_anc_thousands_per_ul: float
    vaccine_response_min_age_years: float
    child_age_years: float
    higm_interpretable_from_age_months: int
    cvid_min_age_years: float
    cvid_pattern_from_age_years: float
    secondary_drug_window_months: int
    igm_repeat_min_days: int


@dataclass(frozen=True, slots=True)
class IgrtHistoryPolicy:
    on_igrt_iv_weeks: int
    on_igrt_sc_weeks: int
    trial_off_after_months: int
    usual_interval_gaps: int


@dataclass(frozen=True, slots=True)
class ProductsAndInfusionPolicy:
    iv_product: str
    sc_product: str
    iv_rate_step_minutes: int
    iv_rate_step_factor: float
    at_risk_max_rate_mg_kg_min: float
    risk_age_years: float
    absent_iga_mg_dl: float


@dataclass(frozen=True, slots=True)
class ReportPolicy:
    display_units: Literal["mg/dL", "g/L"]


@dataclass(frozen=True, slots=True)
class Policy:
    """The site policy in the sections of `policy.yaml`; a site overrides keys by their flat names."""

    dosing: DosingPolicy
    trough: TroughPolicy
    infections: InfectionsPolicy
    scope: ScopePolicy
    diagnosis: DiagnosisPolicy
    igrt_history: IgrtHistoryPolicy
    products_and_infusion: ProductsAndInfusionPolicy
    report: ReportPolicy

    def overridden(self, **values: object) -> Policy:
        """This policy with some keys (flat names) replaced, unchecked: for tests and the shells'
        own options (`--units`), whose values are already one of the key's choices."""
        sections: dict[str, Any] = {}
        for key, value in values.items():
            name = SECTION_OF[key]
            sections[name] = replace(sections.get(name, getattr(self, name)), **{key: value})
        return replace(self, **sections)

    def value(self, key: str) -> Any:
        """The value of a key named at run time (a flat name from policy.yaml)."""
        return getattr(getattr(self, SECTION_OF[key]), key)


# Section -> its dataclass, key -> its section and key -> its Python type, read from the classes
# above (the single source); `check_sections` holds them against policy.yaml when it is loaded.
SECTIONS: dict[str, Any] = get_type_hints(Policy)
SECTION_OF: dict[str, str] = {f.name: section for section, cls in SECTIONS.items() for f in fields(cls)}
KEY_TYPES: dict[str, Any] = {key: hint for cls in SECTIONS.values() for key, hint in get_type_hints(cls).items()}


def check_sections(definition: schema.PolicyFile) -> None:
    """Every key of policy.yaml is a field of its section's dataclass, and every field is a key of
    that section: a mismatch is a KnowledgeError naming the key (raised when the knowledge loads)."""
    for key, entry in definition.keys.items():
        if key not in SECTION_OF:
            raise KnowledgeError(f"policy.yaml: {key} has no field in the {entry.section} section of Policy")
        if SECTION_OF[key] != entry.section:
            raise KnowledgeError(f"policy.yaml: {key} is in section {entry.section}, in Policy in {SECTION_OF[key]}")
    missing = sorted(set(SECTION_OF) - set(definition.keys))
    if missing:
        raise KnowledgeError(f"policy.yaml: no key {missing[0]} for the field in the {SECTION_OF[missing[0]]} section")


def _coerce(key: str, entry: schema.PolicyKey, value: object) -> object:
    if entry.choices is not None:
        if not isinstance(value, str) or value not in entry.choices:
            raise PolicyError(key, f"{value!r} is not one of {', '.join(entry.choices)}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(key, f"{value!r} is not a number")
    assert entry.minimum is not None  # ranges are checked at load time
    assert entry.maximum is not None
    if not entry.minimum <= value <= entry.maximum:
        raise PolicyError(key, f"{value} is outside {entry.minimum:g}-{entry.maximum:g}")
    if KEY_TYPES[key] is int:
        if float(value) != int(value):
            raise PolicyError(key, f"{value} must be a whole number")
        return int(value)
    return float(value)


def make_policy(definition: schema.PolicyFile, overrides: Mapping[str, object] | None = None) -> Policy:
    """Defaults from the policy file, then each override checked against its key's choices or range."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(definition.keys))
    if unknown:
        raise PolicyError(unknown[0], "unknown policy key")
    check_sections(definition)
    sections: dict[str, dict[str, object]] = {name: {} for name in SECTIONS}
    for key, entry in definition.keys.items():
        sections[entry.section][key] = _coerce(key, entry, overrides.get(key, entry.default))
    try:
        return _policy_adapter().validate_python(sections)
    except ValidationError as error:  # a code/data mismatch (a choice the field does not allow)
        first = error.errors()[0]
        raise PolicyError(".".join(str(part) for part in first["loc"]), first["msg"]) from None


@cache
def _policy_adapter() -> TypeAdapter[Policy]:
    """Checks the merged values against the field types (choices included), typed for mypy."""
    return TypeAdapter(Policy)


def site_table(data: bytes, where: str, known: Collection[str] | None = None, kind: str = "TOML") -> dict[str, Any]:
    """A site's TOML file (read by a shell) as a table. Bytes that are not UTF-8 TOML are an
    InputError naming the file (`where`, "not {kind}"); with `known`, so is the first key not in it."""
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except RecursionError:
        raise InputError(where, None, f"not {kind} (nested too deeply)") from None
    except ValueError as error:  # not UTF-8, not TOML, or an integer of over 4,300 digits
        raise InputError(where, None, f"not {kind} ({error})") from None
    unknown = sorted(set(table) - set(known)) if known is not None else []
    if unknown:
        raise InputError(where, unknown[0], "unknown setting")
    return table


def policy_from_toml(definition: schema.PolicyFile, data: bytes, where: str) -> Policy:
    """The policy of a site's TOML policy file (`--policy FILE`): every key checked by `make_policy`."""
    return make_policy(definition, site_table(data, where, kind="a TOML policy file"))
