"""Errors with stable codes. The CLI maps each class to one exit code (see igcds.cli)."""

from __future__ import annotations

from collections.abc import Mapping

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


class FigureError(InputError):
    """A figure given for a dose (weight, height, product, …) that igcds cannot use. `figure` names
    it, and `{figure}` placeholders in the problem name others, so that each shell can show its
    own names for them (the CLI its options); plain, they read as the figure names."""

    def __init__(self, figure: str, problem: str) -> None:
        self.figure = figure
        self.template = problem
        super().__init__(figure, None, self.problem_named({}))

    def problem_named(self, names: Mapping[str, str]) -> str:
        return self.template.format_map(_OwnName(names))

    def named(self, names: Mapping[str, str]) -> str:
        """The one-line message with each figure called by `names` (unknown ones by their own)."""
        return f"{names.get(self.figure, self.figure)}: {self.problem_named(names)}"


class _OwnName(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return key


class PolicyError(InputError):
    """A site-policy override that igcds cannot accept (unknown key or value out of range)."""

    code = "IGCDS.POLICY"

    def __init__(self, key: str, problem: str) -> None:
        super().__init__("policy", key, problem)


class KnowledgeError(IgcdsError):
    """The packaged knowledge base is inconsistent: a bug in igcds' data, never the user's."""

    code = "IGCDS.KNOWLEDGE"
