"""How long work reports progress without knowing who is watching (a terminal, a test)."""

from __future__ import annotations


class ProgressSink:
    """Silent by default; the CLI subclasses it with rich progress bars."""

    def stage(self, text: str) -> None:
        pass

    def start(self, label: str, total: int) -> None:
        pass

    def update(self, label: str, done: int, info: str = "") -> None:
        pass

    def finish(self, label: str) -> None:
        pass
