"""Weights that cannot both be true (issue 10 item 3): close in time, far apart in value."""

from __future__ import annotations

from datetime import date

import pytest

from igcds.domain.record import Measurement
from igcds.knowledge.loader import KnowledgeBase
from igcds.rules.weight_checks import conflict_effect, conflicting_weights


def weights(*figures: tuple[float, str]) -> list[Measurement]:
    found = [Measurement(kg, date.fromisoformat(day), f"Observation/w{i}") for i, (kg, day) in enumerate(figures)]
    return sorted(found, key=lambda m: m.effective)


@pytest.mark.parametrize(
    "figures",
    [
        ((64, "2026-11-01"), (6.4, "2026-11-01")),
        ((6.4, "2026-11-01"), (64, "2026-11-01")),
        ((70, "2026-11-01"), (35, "2026-11-05")),
        ((50, "2026-11-01"), (60.1, "2026-11-08")),
    ],
)
def test_weights_that_cannot_both_be_true(kb: KnowledgeBase, figures: tuple[tuple[float, str], ...]) -> None:
    assert conflicting_weights(weights(*figures), kb.plausibility.weight_change) is not None


@pytest.mark.parametrize(
    "figures",
    [
        ((50, "2026-11-01"), (60, "2026-11-08")),  # 20 %: the limit itself
        ((70, "2026-10-24"), (35, "2026-11-01")),  # 8 days apart: outside the window
        ((12, "2025-11-01"), (14.5, "2026-11-01")),  # a year's growth
        ((70, "2026-11-01"),),
    ],
)
def test_weights_that_can_be_true(kb: KnowledgeBase, figures: tuple[tuple[float, str], ...]) -> None:
    assert conflicting_weights(weights(*figures), kb.plausibility.weight_change) is None


def test_the_gap_names_both_observations(kb: KnowledgeBase) -> None:
    pair = conflicting_weights(weights((64, "2026-11-01"), (6.4, "2026-11-01")), kb.plausibility.weight_change)
    assert pair is not None
    assert conflict_effect(pair) == (
        "Observation/w1 (6.4 kg on 2026-11-01) and Observation/w0 (64 kg on 2026-11-01) cannot both be right: "
        "no dose until the weight is confirmed"
    )
