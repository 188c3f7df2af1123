"""Shared fixtures: the knowledge base, the default policy, and two ways to run the `igcds` CLI:
in-process (fast; what most tests use) and the installed console script (a few smoke tests)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from igcds.knowledge import loader
from igcds.knowledge.loader import KnowledgeBase
from igcds.knowledge.policy import Policy, make_policy

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return loader.load()


@pytest.fixture(scope="session")
def policy(kb: KnowledgeBase) -> Policy:
    return make_policy(kb.policy)


@dataclass
class Completed:
    code: int
    out: str
    err: str


def run_igcds(*args: str, stdin: str | None = None) -> Completed:
    """The `igcds` command in this process (Typer's CliRunner), from the checkout's root as a user
    runs it: the same exit code, standard output and standard error as the installed script."""
    from igcds.cli import app

    with contextlib.chdir(ROOT):
        done = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
    return Completed(done.exit_code, done.stdout, done.stderr)


def run_installed(*args: str, stdin: str | None = None) -> Completed:
    """The installed console script in its own process: for the few smoke tests of the entry point."""
    script = Path(sys.executable).with_name("igcds")
    done = subprocess.run([str(script), *args], input=stdin, capture_output=True, text=True, cwd=ROOT, check=False)
    return Completed(done.returncode, done.stdout, done.stderr)
