"""A plain-stdout progress bar: redrawn in place on a terminal, a line every tenth otherwise."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, label: str, total: int, width: int = 30) -> None:
        self.label = label
        self.total = max(total, 1)
        self.width = width
        self.done = 0
        self.started = time.perf_counter()
        self.interactive = sys.stdout.isatty()
        self._last_tenth = -1
        self._last_draw = 0.0

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        now = time.perf_counter()
        tenth = 10 * self.done // self.total
        if self.interactive and (now - self._last_draw > 0.1 or self.done == self.total):
            self._draw("\r", now)
        elif not self.interactive and tenth != self._last_tenth:
            self._last_tenth = tenth
            self._draw("", now, end="\n")

    def finish(self) -> None:
        self.done = self.total
        if self.interactive:
            self._draw("\r", time.perf_counter(), end="\n")
        elif self._last_tenth != 10:
            self._draw("", time.perf_counter(), end="\n")

    def _draw(self, start: str, now: float, end: str = "") -> None:
        self._last_draw = now
        filled = self.width * self.done // self.total
        bar = "#" * filled + "." * (self.width - filled)
        text = f"{start}  {self.label:<22} [{bar}] {self.done:>9,}/{self.total:,}  {now - self.started:6.1f} s{end}"
        sys.stdout.write(text)
        sys.stdout.flush()
