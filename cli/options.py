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
    from registry.snapshot import Snapshot
    from registry.store import Place

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Options:
    """The global options of one run (given before or after the command) and its sink."""

    directory: Path = Path()
    rev: str | None = None
    today: dt.date | None = None
    now: str | None = None  # --now, as given
    debug: bool = False
    no_cache: bool = False
    out: Output = field(default_factory=Output)
    scan: FolderScan | None = None  # the walk of the working tree made for the result cache
    cache_opened: bool = False  # a load may have left background cache writes to wait for
    place: Place | None = None  # the snapshot's key, worked out before a load
    console: bool = False  # run as the console script: a snapshot's writer may outlive it

    def clock(self) -> tuple[dt.date | None, dt.datetime | None]:
        """The day and the time rules judge by: --now sets both, --today alone is midnight
        UTC of that day; (None, None) for the real ones."""
        now = parse_now(self.now) if self.now is not None else None
        if now is None and self.today is not None:
            now = dt.datetime.combine(self.today, dt.time(), dt.UTC)
        return self.today or (now.date() if now else None), now

    def project(self, keyed: bool = True) -> Project:
        """The registry the options name: the working tree, or --rev. Unless `keyed` is
        False, its state is keyed first, for the snapshot a full load writes."""
        from registry import store
        from registry.project import Project

        scan, self.scan = self.scan, None  # one load's listing: never reused later
        place, self.place = self.place, None
        if place is None and not self.no_cache and keyed:
            place = store.locate(self.directory, self.rev)
        store.loading(place)
        self.cache_opened |= not self.no_cache
        today, now = self.clock()
        project = Project.open(self.directory, self.rev, today, use_cache=not self.no_cache,
                               progress=progress(), scan=scan, now=now)
        store.loaded(place, project)
        return project

    def snapshot(self) -> Snapshot | None:
        """The registry's snapshot, when one is stored for its state now (registry.store)."""
        from registry import store

        if self.no_cache:
            return None
        if self.place is None:  # a miss loads in this state
            self.place = store.locate(self.directory, self.rev)
        return store.read(self.place)

    def project_at(self, rev: str, option: str) -> Project:
        """The same registry at another revision (the head of a comparison)."""
        from registry import store
        from registry.project import Project

        self.cache_opened |= not self.no_cache
        today, now = self.clock()
        project = Project.open(self.directory, rev, today, option,
                               use_cache=not self.no_cache, progress=progress(), now=now)
        if not self.no_cache:
            store.revision_loaded(project)
        return project

    def base_of(self, head: Project, rev: str) -> Project:
        """The base of a comparison: head's registry folder at `rev` (empty if it has none)."""
        from registry import store
        from registry.project import Project

        self.cache_opened |= not self.no_cache
        project = Project.base_of(head, rev, "--base", use_cache=not self.no_cache,
                                  progress=progress())
        if not self.no_cache and not project.absent:
            store.revision_loaded(project)
        return project

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


def parse_now(text: str) -> dt.datetime:
    """--now: an RFC 3339 date-time with a zone."""
    from registry.environments import parse_time

    when = parse_time(text)
    if when is None:
        fail(f"--now takes an RFC 3339 date-time with a zone, such as 2026-01-05T14:00:00Z, "
             f"not `{text}`")
    return when


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
