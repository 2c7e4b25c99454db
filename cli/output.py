"""The output sink: every byte a command prints or writes goes through the `Output` of its
run, which keeps a copy while the output is being recorded for replay (cli.replay)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click


@dataclass
class Recording:
    """What a command printed and wrote, kept to replay it from the result cache."""

    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)


class Output:
    """Standard output (the report), standard error (diagnostics, summaries, warnings) and
    the files a command writes for the user (`bom -o`)."""

    def __init__(self) -> None:
        self._recording: Recording | None = None

    def write(self, text: str | bytes) -> None:
        """Report text for standard output, written as it is (its own line breaks); bytes
        are UTF-8 text, written to the binary stream without a copy."""
        click.echo(text, nl=False)
        if self._recording is not None:
            self._recording.out.append(_text(text))

    def say(self, text: str) -> None:
        """A line for standard error."""
        click.echo(text, err=True)
        if self._recording is not None:
            self._recording.err.append(text + "\n")

    def write_file(self, path: Path, text: str | bytes) -> None:
        """A file the user asked for, written whole or not at all (bytes: UTF-8 text)."""
        from registry.edit import write_atomic

        write_atomic(path, text)
        if self._recording is not None:
            self._recording.files[str(path)] = _text(text)

    def render(self, report: object, fmt: str) -> None:
        """`report` in format `fmt`, by the renderer registry.render's table gives the pair."""
        from registry.render import Format, render

        self.write(render(report, Format(fmt)))

    @contextlib.contextmanager
    def recording(self) -> Iterator[Recording]:
        """Keep a copy of everything written inside the block."""
        outer, self._recording = self._recording, Recording()
        try:
            yield self._recording
        finally:
            self._recording = outer


def _text(text: str | bytes) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text
