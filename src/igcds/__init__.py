"""igcds: clinical decision support for immunoglobulin replacement therapy in selective IgM
deficiency and hyper-IgM syndromes.

The public API is `assess(record, as_of, policy)`; `read_bundle` turns a FHIR R4 Bundle into the
record it needs. Heavy modules are imported on first use so that `import igcds` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from igcds.version import __version__

__all__ = ["Assessment", "PatientRecord", "Policy", "__version__", "assess", "read_bundle"]

if TYPE_CHECKING:
    from igcds.domain.assessment import Assessment
    from igcds.domain.record import PatientRecord
    from igcds.engine import assess
    from igcds.fhir.read import read_bundle
    from igcds.knowledge.policy import Policy

_LAZY = {
    "Assessment": ("igcds.domain.assessment", "Assessment"),
    "PatientRecord": ("igcds.domain.record", "PatientRecord"),
    "Policy": ("igcds.knowledge.policy", "Policy"),
    "assess": ("igcds.engine", "assess"),
    "read_bundle": ("igcds.fhir.read", "read_bundle"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module_name, attribute = _LAZY[name]
        return getattr(importlib.import_module(module_name), attribute)
    raise AttributeError(f"module 'igcds' has no attribute {name!r}")
