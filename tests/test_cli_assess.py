"""`igcds assess --format json` on every example equals its checked-in golden file, byte for byte
(the knowledge-base version aside, which changes with any data edit): a refactoring that changes
what a clinician or an integrator receives fails here. Regenerate after an intended change with
IGCDS_UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from igcds.knowledge.loader import KnowledgeBase
from tests.conftest import ROOT, run_igcds

GOLDEN = Path(__file__).parent / "golden" / "json"
UPDATE = os.environ.get("IGCDS_UPDATE_GOLDEN") == "1"
EXAMPLES = sorted(path.stem for path in (ROOT / "examples").glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLES)
def test_json_output_matches_its_golden_file(kb: KnowledgeBase, example: str) -> None:
    done = run_igcds("assess", f"examples/{example}.json", "--as-of", "2026-11-23", "--format", "json")
    assert (done.code, done.err) == (0, "")
    assert done.out.count(f'"knowledge_version": "{kb.version}"') == 1
    pinned = done.out.replace(kb.version, "KNOWLEDGE-VERSION")
    golden = GOLDEN / f"{example}.json"
    if UPDATE:
        golden.write_text(pinned, encoding="utf-8")
    assert pinned == golden.read_text(encoding="utf-8")


def test_every_example_has_a_golden_file() -> None:
    assert sorted(path.stem for path in GOLDEN.glob("*.json")) == EXAMPLES
