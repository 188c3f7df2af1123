"""The `igcds` program: the Typer app, its central error handler, and what several commands share
(options, reading the input, the assessment date, the site policy, writing the output). Each
command is a module beside this one; igcds/cli/__init__.py registers them on `app`.

Exit codes of every command:

  0  an assessment was produced (possibly with data gaps)
  1  internal error (a bug in igcds or its knowledge base)
  2  unusable input: not JSON, not a Bundle, no or several Patients, a value that cannot be
     interpreted, a bad policy file; one plain line on stderr names the resource and field.

Tracebacks appear only with --verbose. Heavy modules are imported inside commands so that
`igcds --help` starts fast.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from igcds.knowledge.policy import Policy

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2


class Program(TyperGroup):
    """The command group: `--verbose` is a program option, accepted after the command too; usage
    errors (an unknown --format, a missing argument) are input errors like any other: one plain
    line on stderr and exit 2, not a usage block. No arguments still prints the help."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # a click Context
        end = args.index("--") if "--" in args else len(args)
        if "--verbose" in args[:end]:
            args = ["--verbose", *(a for i, a in enumerate(args) if a != "--verbose" or i >= end)]
        return super().parse_args(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        from typer._click.exceptions import ClickException, NoArgsIsHelpError

        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except NoArgsIsHelpError as help_shown:
            help_shown.show()
            code = help_shown.exit_code
        except ClickException as error:
            message = " ".join(error.format_message().split())
            sys.stderr.write(f"error: {message}\n")
            code = error.exit_code
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else EXIT_OK)


app = typer.Typer(
    name="igcds",
    cls=Program,
    help="Clinical decision support for immunoglobulin replacement in selective IgM deficiency "
    "and hyper-IgM syndromes. Supports, and does not replace, clinical judgement.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
state = {"verbose": False}
Result = TypeVar("Result")
# Writing the output failed because the destination cannot take it: exit 2 like an unwritable -o.
UNWRITABLE = frozenset({errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EBADF})

# Options more than one command takes, with one help text.
PolicyOption = Annotated[Path | None, typer.Option("--policy", help="TOML file overriding site policy.")]
OutputFileOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE instead of stdout.")]


def discard_stdout() -> None:
    """Point standard output at the null device, so that nothing more is written to a stream that
    failed (a full disk, a closed pipe), not even the flush at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (an in-process test's buffer)
        pass


def stdout_failed(error: OSError) -> NoReturn:
    """Standard output could not take the report. A reader that stopped reading (`| head`) is
    not an error: exit 0 quietly. Anything else (`> /dev/full`) is one line and exit 2."""
    discard_stdout()
    if error.errno == errno.EPIPE:
        raise typer.Exit(EXIT_OK)
    fail(f"stdout: cannot write ({error.strerror})", EXIT_INPUT)
    raise AssertionError("unreachable")


def fail(message: str, code: int) -> None:
    """One plain line on stderr, then exit."""
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


# The core names a figure it cannot use; the command line names the option that gave it.
FIGURE_OPTIONS = {
    "weight": "--weight",
    "height": "--height",
    "sex": "--sex",
    "age": "--age",
    "mg_per_kg": "--mg-per-kg",
    "interval": "--interval-weeks",
    "route": "--route",
    "from_iv": "--from-iv",
    "product": "--product",
}


def guarded(action: Callable[[], Result]) -> Result:
    """Run a command body under the central error handler."""
    from igcds.domain.errors import FigureError, InputError, KnowledgeError

    try:
        return action()
    except typer.Exit:
        raise
    except FigureError as error:
        if state["verbose"]:
            raise
        fail(error.named(FIGURE_OPTIONS), EXIT_INPUT)
    except InputError as error:
        if state["verbose"]:
            raise
        fail(str(error), EXIT_INPUT)
    except KnowledgeError as error:
        if state["verbose"]:
            raise
        fail(f"knowledge base: {error}", EXIT_INTERNAL)
    except OSError as error:
        if error.errno not in UNWRITABLE or state["verbose"]:
            raise
        stdout_failed(error)  # a command's printing failed (igcds products > /dev/full)
    except Exception as error:  # the last line of defence: never a traceback for users
        if state["verbose"]:
            raise
        fail(f"internal error ({type(error).__name__}: {error}); rerun with --verbose", EXIT_INTERNAL)
    raise AssertionError("unreachable")


def show_version(value: bool) -> None:
    if value:
        from igcds.version import __version__

        typer.echo(f"igcds {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_options(
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Show tracebacks of internal errors (also after the command).")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=show_version, help="Print the version and exit.")
    ] = False,
) -> None:
    state["verbose"] = verbose


def today() -> date:
    return date.today()  # noqa: DTZ011, TID251 - the CLI is where the clock is read


def now() -> datetime:
    """The wall clock on the ward (local, naive): for an infusion sheet's start time."""
    return datetime.now()  # noqa: DTZ005, TID251 - the CLI is where the clock is read


def load_policy(path: Path | None) -> Policy:
    """Site policy from a TOML file (every key documented in knowledge/data/policy.yaml)."""
    from igcds.domain.errors import InputError
    from igcds.knowledge import loader
    from igcds.knowledge.policy import make_policy, policy_from_toml

    if path is None:
        return make_policy(loader.load().policy)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), None, f"cannot read policy file ({error.strerror})") from None
    return policy_from_toml(loader.load().policy, data, str(path))


def emit(rendered: str, output: Path | None) -> None:
    """To standard output, or to the `-o` file (a file that cannot be written is an input error)."""
    from igcds.domain.errors import InputError

    if output is None:
        try:
            sys.stdout.write(rendered)
            sys.stdout.flush()
        except OSError as error:
            stdout_failed(error)
        return
    try:
        output.write_text(rendered, encoding="utf-8")
    except OSError as error:
        raise InputError(str(output), None, f"cannot write ({error.strerror})") from None


def main() -> None:
    app()
