"""Errors with stable codes. The CLI maps each class to one exit code (see igcds.cli)."""

from __future__ import annotations


class IgcdsError(Exception):
    """Root of every error igcds raises on purpose."""

    code = "IGCDS"


class InputError(IgcdsError):
    """Unusable input: the message names the resource (Type/id) and the field, or the file."""

    code = "IGCDS.INPUT"

    def __init__(self, where: str, field: str | None, problem: str) -> None:
        self.where = where
        self.field = field
        self.problem = problem
        location = f"{where} {field}" if field else where
        super().__init__(f"{location}: {problem}")


class PolicyError(InputError):
    """A site-policy override that igcds cannot accept (unknown key or value out of range)."""

    code = "IGCDS.POLICY"

    def __init__(self, key: str, problem: str) -> None:
        super().__init__("policy", key, problem)


class KnowledgeError(IgcdsError):
    """The packaged knowledge base is inconsistent: a bug in igcds' data, never the user's."""

    code = "IGCDS.KNOWLEDGE"
