"""What every command gets from the `aireg` group: the run's global options, its output sink,
and the helpers that open the registry they name."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from registry.findings import AiregError
from registry.render import COMMAND_FORMATS

from .output import Output

if TYPE_CHECKING:
    from registry.files import FolderScan
    from registry.project import Project

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Options:
    """The global options of one run (given before or after the command) and its sink."""

    directory: Path = Path()
    rev: str | None = None
    today: dt.date | None = None
    debug: bool = False
    no_cache: bool = False
    out: Output = field(default_factory=Output)
    scan: FolderScan | None = None  # the walk of the working tree made for the result cache
    cache_opened: bool = False  # a load may have left background cache writes to wait for

    def project(self) -> Project:
        """The registry the options name: the working tree, or --rev."""
        from registry.project import Project

        scan, self.scan = self.scan, None  # one load's listing: never reused later
        self.cache_opened |= not self.no_cache
        return Project.open(self.directory, self.rev, self.today, use_cache=not self.no_cache,
                            progress=progress(), scan=scan)

    def project_at(self, rev: str, option: str) -> Project:
        """The same registry at another revision (the head of a comparison)."""
        from registry.project import Project

        self.cache_opened |= not self.no_cache
        return Project.open(self.directory, rev, self.today, option,
                            use_cache=not self.no_cache, progress=progress())

    def base_of(self, head: Project, rev: str) -> Project:
        """The base of a comparison: head's registry folder at `rev` (empty if it has none)."""
        from registry.project import Project

        self.cache_opened |= not self.no_cache
        return Project.base_of(head, rev, "--base", use_cache=not self.no_cache,
                               progress=progress())

    def editable(self, verb: str) -> Project:
        """The working tree's registry, for a command that edits its files."""
        if self.rev is not None:
            fail(f"{verb} edits the files in the working tree; drop --rev")
        return self.project()

    def warn_setup(self, project: Project) -> None:
        """Say on stderr when the registry's settings could not be used in full (a broken
        retirements file): the report still comes, but the user must know what it lacks."""
        for item in project.locate(project.setup_findings):
            self.out.say(f"aireg: warning: {item.span}: {item.message}")


pass_options = click.make_pass_decorator(Options)


def fail(message: str) -> NoReturn:
    """Stop the command with a usage error (exit 2), said in one line."""
    raise AiregError(message)


def format_option(command: str) -> Callable[[F], F]:
    """`--format`, with the formats COMMAND_FORMATS lists for `command` (the first is the
    default)."""
    choices = COMMAND_FORMATS[command]
    return click.option(
        "--format", "fmt", type=click.Choice([f.value for f in choices]),
        default=choices[0].value, show_default=True, help="Output format.")


def progress() -> Callable[[str, int, int], None] | None:
    """A progress line on a terminal's stderr, once a load has taken more than a second."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()
    shown = [False]

    def report(stage: str, done: int, total: int) -> None:
        if stage == "done":
            if shown[0]:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
            return
        if time.monotonic() - started < 1.0:
            return
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{stage:<8} [{'#' * filled}{'.' * (width - filled)}] "
                         f"{done}/{total} files")
        sys.stderr.flush()
        shown[0] = True

    return report
