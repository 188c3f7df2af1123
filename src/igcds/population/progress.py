"""Progress on stderr: a bar with patients/s and ETA on a terminal (Rich), plain lines otherwise
(logs and CI keep one line per step, at most one a second while assessing)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

Item = TypeVar("Item")


class Progress:
    def __init__(self, stream: TextIO | None = None, interval_s: float = 1.0) -> None:
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.interval_s = interval_s

    def step(self, message: str) -> None:
        self.stream.write(f"igcds population: {message}\n")
        self.stream.flush()

    def track(self, items: Iterable[Item], total: int, label: str) -> Iterator[Item]:
        if self.terminal:
            yield from self._bar(items, total, label)
            return
        start = last = time.monotonic()
        done = 0
        for item in items:
            yield item
            done += 1
            now = time.monotonic()
            if now - last >= self.interval_s or done == total:
                last = now
                rate = done / (now - start) if now > start else 0.0
                eta = (total - done) / rate if rate else 0.0
                self.step(f"{label} {done}/{total} ({rate:.0f} patients/s, ETA {eta:.0f} s)")

    def _bar(self, items: Iterable[Item], total: int, label: str) -> Iterator[Item]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} patients/s"),
            TimeRemainingColumn(),
        )
        with RichProgress(*columns, console=Console(file=self.stream), transient=False) as bar:
            task = bar.add_task(label, total=total, rate="-")
            start = time.monotonic()
            for done, item in enumerate(items, 1):
                yield item
                elapsed = time.monotonic() - start
                bar.update(task, advance=1, rate=f"{done / elapsed:.0f}" if elapsed > 0 else "-")
