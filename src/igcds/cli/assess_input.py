"""What `igcds assess` is given, checked before anything is read: the assessment date (strictly
YYYY-MM-DD, warned about when far ahead), the input (refused unread past the size limit) and the
`-o` file (never the input itself)."""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from pathlib import Path

from igcds.cli.program import today

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Beyond this many days after today an --as-of is probably a typing error (2062 for 2026); a
# month ahead still serves planning for the next clinic.
FAR_FUTURE_DAYS = 31


def parse_as_of(value: str | None) -> date:
    """YYYY-MM-DD exactly (not 20261123 or 2026-W48-1, which Python would also read), from 1900 on."""
    from igcds.domain.errors import InputError
    from igcds.fhir.primitives import EARLIEST_DATE

    if value is None:
        return today()
    try:
        if not ISO_DAY.fullmatch(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError("--as-of", None, f"not a date (YYYY-MM-DD): {value!r}") from None
    if day < EARLIEST_DATE:
        raise InputError("--as-of", None, f"{value} is before {EARLIEST_DATE.isoformat()}")
    return day


def far_future_warning(day: date) -> str | None:
    """A warning when --as-of is far after today: the assessment is then for that day (facts
    recorded by then, ages on that day), which is rarely what was meant."""
    ahead = (day - today()).days
    if ahead <= FAR_FUTURE_DAYS:
        return None
    return (
        f"--as-of {day.isoformat()} is {ahead} days after today ({today().isoformat()}): this is an assessment "
        "for that day, with ages and time windows on that day"
    )


def read_input(path: str) -> bytes:
    """The input's bytes, refused unread past the size limit (a file by its size, stdin by reading
    one byte more than the limit)."""
    from igcds.domain.errors import InputError
    from igcds.fhir.read import MAX_INPUT_BYTES

    too_big = InputError(
        path if path != "-" else "stdin",
        None,
        f"larger than the {MAX_INPUT_BYTES // 2**20} MiB igcds reads for one patient",
    )
    if path == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            raise too_big
        return data
    try:
        if Path(path).stat().st_size > MAX_INPUT_BYTES:
            raise too_big
        return Path(path).read_bytes()
    except OSError as error:
        raise InputError(path, None, f"cannot read ({error.strerror})") from None


def refuse_overwriting_input(input_path: str, output: Path | None) -> None:
    """`-o` onto the input file would destroy the record being read: refused before anything runs."""
    from igcds.domain.errors import InputError

    if output is None or input_path == "-":
        return
    source = Path(input_path)
    try:
        same = output.exists() and source.exists() and os.path.samefile(source, output)
    except OSError:
        same = False
    if same or output.resolve() == source.resolve():
        raise InputError("-o", None, f"{output} is the input file: igcds does not overwrite its input")
