"""The central error handler of every command: an internal error is one line and exit 1 with a hint,
a broken knowledge base says so, and only --verbose lets the traceback through."""

from __future__ import annotations

import pytest

from igcds import engine
from igcds.domain.errors import KnowledgeError
from tests.conftest import run_igcds

ASSESS = ("assess", "examples/higm-cd40lg-boy.json", "--as-of", "2026-11-23")


def broken_engine(error: Exception) -> object:
    def assess(*args: object, **kwargs: object) -> None:
        raise error

    return assess


def test_internal_error_is_one_line_and_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "assess", broken_engine(ZeroDivisionError("division by zero")))
    done = run_igcds(*ASSESS)
    assert (done.code, done.out) == (1, "")
    assert done.err == "error: internal error (ZeroDivisionError: division by zero); rerun with --verbose\n"


def test_knowledge_error_names_the_knowledge_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "assess", broken_engine(KnowledgeError("recommendation X cites nothing")))
    done = run_igcds(*ASSESS)
    assert done.code == 1
    assert done.err.startswith("error: knowledge base: ")
    assert done.err.count("\n") == 1


def test_verbose_lets_the_traceback_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "assess", broken_engine(ZeroDivisionError("division by zero")))
    with pytest.raises(ZeroDivisionError):
        run_igcds("--verbose", *ASSESS)


def test_verbose_does_not_outlive_its_call(monkeypatch: pytest.MonkeyPatch) -> None:
    run_igcds("--verbose", "knowledge")
    monkeypatch.setattr(engine, "assess", broken_engine(ZeroDivisionError("division by zero")))
    assert run_igcds(*ASSESS).code == 1


@pytest.mark.parametrize("args", [("--port", "70000"), ("--port", "0"), ("--workers", "0")])
def test_serve_refuses_a_port_or_worker_count_that_cannot_be(args: tuple[str, str]) -> None:
    """One line and exit 2 before anything starts, not a traceback from the socket layer."""
    done = run_igcds("serve", "--insecure-dev", *args)
    assert done.code == 2
    assert len(done.err.strip().splitlines()) == 1
    assert args[0] in done.err
