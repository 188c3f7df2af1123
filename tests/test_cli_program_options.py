"""The program's own options (issue 13 item 15): `--version`, shell completion, and `--verbose`
accepted after the command as well as before it."""

from __future__ import annotations

import pytest

from igcds import engine, version
from tests.conftest import run_igcds

ASSESS = ("assess", "examples/higm-cd40lg-boy.json", "--as-of", "2026-11-23")


def test_version_prints_the_package_version() -> None:
    done = run_igcds("--version")
    assert (done.code, done.out) == (0, f"igcds {version.__version__}\n")


def test_shell_completion_script_is_offered() -> None:
    done = run_igcds("--show-completion", "bash")
    assert done.code == 0
    assert "_IGCDS_COMPLETE" in done.out
    assert "--install-completion" in run_igcds("--help").out


def failing_assess(*args: object, **kwargs: object) -> None:
    raise ZeroDivisionError("division by zero")


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_before_or_after_the_command_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.setattr(engine, "assess", failing_assess)
    args = ("--verbose", *ASSESS) if where == "before" else (*ASSESS, "--verbose")
    with pytest.raises(ZeroDivisionError):
        run_igcds(*args)


def test_verbose_after_a_double_dash_is_not_an_option() -> None:
    """After `--` everything is an argument: here an input file named --verbose, which cannot be read."""
    done = run_igcds("assess", "--", "--verbose")
    assert done.code == 2
    assert done.err.startswith("error: --verbose: cannot read")
