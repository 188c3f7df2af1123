"""Shared fixtures: the knowledge base, the default policy, and a runner for the `igcds` CLI."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

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
    """The installed console script, as a user runs it."""
    script = Path(sys.executable).with_name("igcds")
    done = subprocess.run([str(script), *args], input=stdin, capture_output=True, text=True, cwd=ROOT, check=False)
    return Completed(done.returncode, done.stdout, done.stderr)
