"""The one function both engines run on each candidate: the patient's NDJSON lines -> a Bundle ->
`igcds.fhir.read.read_bundle` -> the unchanged `igcds.engine.assess` -> one compact
`igcds.assessment/1` line, or the error that stopped it. Nothing here decides anything clinical."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from igcds import engine
from igcds.domain.errors import InputError
from igcds.fhir import read
from igcds.knowledge import loader
from igcds.knowledge.policy import Policy
from igcds.population.stages import ErrorRecord
from igcds.report import json_contract


@dataclass(frozen=True, slots=True)
class Outcome:
    patient: str
    assessment: str | None  # compact igcds.assessment/1 JSON, or None when the record failed
    error: ErrorRecord | None


def bundle_of(lines: Iterable[str]) -> dict[str, object]:
    """A collection Bundle of the lines (each must be a JSON resource)."""
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": json.loads(x)} for x in lines]}


def assess_group(patient: str, lines: Sequence[str], as_of: date, policy: Policy) -> Outcome:
    kb = loader.load()
    try:
        bundle = bundle_of(sorted(lines))  # one order whatever the engine delivered
    except ValueError as error:
        return Outcome(patient, None, ErrorRecord(patient, f"Patient/{patient}", None, f"unreadable record ({error})"))
    try:
        record = read.read_bundle(bundle, as_of, kb)
        if record.patient_id != patient:
            raise InputError(record.ref, "id", f"does not match the key {patient!r} it was grouped under")
        assessment = engine.assess(record, as_of, policy, kb)
    except InputError as error:
        return Outcome(patient, None, ErrorRecord(patient, error.where, error.field, error.problem))
    contract = json_contract.to_dict(assessment, kb)
    return Outcome(patient, json.dumps(contract, separators=(",", ":"), ensure_ascii=False), None)


def assess_groups(groups: Sequence[tuple[str, Sequence[str]]], as_of: date, policy: Policy) -> list[Outcome]:
    """A batch, for one task of a process pool or a Spark partition."""
    return [assess_group(patient, lines, as_of, policy) for patient, lines in groups]
