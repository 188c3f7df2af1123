"""Errors with stable codes. The CLI maps each class to one exit code (see igcds.cli)."""

from __future__ import annotations

# An input error is printed as one line (DESIGN.md §4): ids and values from the input are cut to
# these lengths and their line breaks shown as \n.
WHERE_LIMIT = 160
PROBLEM_LIMIT = 400


def one_line(text: str, limit: int) -> str:
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= limit else f"{flat[: limit - 3]}..."


class IgcdsError(Exception):
    """Root of every error igcds raises on purpose."""

    code = "IGCDS"


class InputError(IgcdsError):
    """Unusable input: the message names the resource (Type/id) and the field, or the file."""

    code = "IGCDS.INPUT"

    def __init__(self, where: str, field: str | None, problem: str) -> None:
        self.where = one_line(where, WHERE_LIMIT)
        self.field = one_line(field, WHERE_LIMIT) if field else field
        self.problem = one_line(problem, PROBLEM_LIMIT)
        location = f"{self.where} {self.field}" if self.field else self.where
        super().__init__(f"{location}: {self.problem}")


class PolicyError(InputError):
    """A site-policy override that igcds cannot accept (unknown key or value out of range)."""

    code = "IGCDS.POLICY"

    def __init__(self, key: str, problem: str) -> None:
        super().__init__("policy", key, problem)


class KnowledgeError(IgcdsError):
    """The packaged knowledge base is inconsistent: a bug in igcds' data, never the user's."""

    code = "IGCDS.KNOWLEDGE"
