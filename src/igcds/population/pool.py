"""Assess groups in a process pool, in order, with a bounded number of batches in flight so memory
stays flat however many candidates stream in. One worker runs in-process."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date

from igcds.knowledge.policy import Policy
from igcds.population.core import Outcome, assess_groups

Group = tuple[str, Sequence[str]]
BATCH = 32  # patients per task: amortises the pickling round trip


def _batches(groups: Iterable[Group], size: int) -> Iterator[list[Group]]:
    batch: list[Group] = []
    for group in groups:
        batch.append(group)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def assess_all(groups: Iterable[Group], as_of: date, policy: Policy, workers: int) -> Iterator[Outcome]:
    if workers <= 1:
        for batch in _batches(groups, BATCH):
            yield from assess_groups(batch, as_of, policy)
        return
    # spawn: the parent holds DuckDB's threads, which a fork must not copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future[list[Outcome]]] = deque()
        for batch in _batches(groups, BATCH):
            pending.append(pool.submit(assess_groups, batch, as_of, policy))
            if len(pending) >= workers * 4:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
