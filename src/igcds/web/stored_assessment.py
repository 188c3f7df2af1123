"""An Assessment back from its JSON contract (`igcds.assessment/1`, one line of a population run's
assessments.ndjson), so that the worklist opens the same HTML report `igcds assess` writes. The
contract is the dataclasses' own fields (keys only ever added), so the types drive the reading;
JSON keys the dataclasses do not have (schema, references) are left aside."""

from __future__ import annotations

import dataclasses
import types
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from igcds.domain.assessment import Assessment


class NotAnAssessment(ValueError):
    """The line does not hold an assessment this igcds can read (another schema or version)."""


def _value(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(kind)
    if origin is Union or origin is types.UnionType:
        options = [option for option in get_args(kind) if option is not type(None)]
        return _value(options[0], value) if len(options) == 1 else value
    if origin is Literal:
        return value
    if origin is tuple:
        return tuple(_value(get_args(kind)[0], item) for item in value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is float:
        return float(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind, value)
    return value


def _dataclass(kind: type[Any], value: Any) -> Any:
    if not isinstance(value, dict):
        raise NotAnAssessment(f"{kind.__name__} is not an object")
    hints = get_type_hints(kind)
    present = {
        field.name: _value(hints[field.name], value[field.name])
        for field in dataclasses.fields(kind)
        if field.name in value
    }
    try:
        return kind(**present)
    except TypeError as error:  # a field this igcds needs is not in the line
        raise NotAnAssessment(f"{kind.__name__}: {error}") from None


def from_contract(line: dict[str, Any]) -> Assessment:
    if line.get("schema") != "igcds.assessment/1":
        raise NotAnAssessment(f"schema {line.get('schema')!r} is not igcds.assessment/1")
    try:
        found = _dataclass(Assessment, line)
    except (KeyError, ValueError, TypeError) as error:
        raise NotAnAssessment(str(error)) from None
    assert isinstance(found, Assessment)
    return found
