"""Finding the snapshot of the registry as it is now, and writing one after a full load.

The key is worked out before anything is loaded (a file edited during a load then makes
the next key differ, never a snapshot of new content under an old key). The answer is read
only when the snapshot was written for exactly that key; after a full load, the snapshot
is built and written at the end of the command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from . import files, state
from . import snapshot as snapshots
from .findings import Finding, Severity, Span

if TYPE_CHECKING:
    from .rules import CheckResult

# A loaded registry (registry.project.Project, which imports this module).
Project = Any

FORMAT = "3"  # 2: edge members, eval commands, every team's contacts; 3: scan's data


@dataclass
class Place:
    """Where a registry's snapshot would be, and the key of its current state."""

    toplevel: Path
    key: str
    # What the load read outside the files the key covers (registry.files notes them):
    # kept with the snapshot, checked again before it is used.
    reads: dict[tuple[str, str], str] | None = None
    outer: dict[tuple[str, str], str] | None = None  # a recording already under way
    snapshot: snapshots.Snapshot | Literal[False] | None = None  # read (False: none there)


def locate(start: Path, rev: str | None) -> Place | None:
    """The key of the registry around `start` (at `rev`, or in the working tree); None
    outside git, or when git cannot tell the state."""
    found = files.find_root(start.resolve())
    if found is None:
        return None
    root, toplevel = found
    if toplevel is None:
        return None
    rel = root.relative_to(toplevel).as_posix()
    prefix = "" if rel == "." else rel + "/"
    if rev is None:
        side = state.worktree(toplevel, prefix)
    else:
        from .gitrepo import commit_of

        commit = commit_of(toplevel, rev)
        side = None if commit is None else state.revision(toplevel, commit, prefix)
    if side is None:
        return None
    return Place(toplevel, key_of(prefix, side))


def at_revision(toplevel: Path, commit: str, prefix: str) -> Place | None:
    side = state.revision(toplevel, commit, prefix)
    return None if side is None else Place(toplevel, key_of(prefix, side))


def key_of(prefix: str, side: str) -> str:
    # surrogateescape: a file name that is not UTF-8 keys by its own bytes
    digest = hashlib.sha256("\0".join([FORMAT, state.program(), prefix, side]).encode(
        "utf-8", "surrogateescape"))
    return digest.hexdigest()


def read(place: Place | None) -> snapshots.Snapshot | None:
    """The snapshot stored for this state, when what its load read is still the same."""
    if place is None:
        return None
    snap = snapshots.read(place.toplevel, place.key)
    if snap is None:
        return None
    from .cache import unchanged  # the reads a stored output checks, checked alike

    try:
        return snap if unchanged([(kind, name, found) for kind, name, found
                                  in snap.meta.get("reads", [])]) else None
    except (TypeError, ValueError):
        return None


# --- after a full load ----------------------------------------------------------------------

_pending: list[tuple[Place, Project]] = []
# By id(project), with the project itself: an id is reused once its project is gone.
_built: dict[int, tuple[Project, snapshots.Snapshot]] = {}


def loading(place: Place | None) -> None:
    """Note what the load about to run reads beyond the files the key covers (as
    registry.files notes them), for the snapshot and for whatever else is recording."""
    if place is None:
        return
    place.outer, files.recorded = files.recorded, {}
    place.reads = files.recorded


def loaded(place: Place | None, project: Project) -> None:
    """A full load done: its snapshot is written when the command ends (`flush`)."""
    if place is None:
        return
    reads, files.recorded = place.reads or {}, place.outer
    for (kind, name), found in reads.items():  # the outer recording sees them too
        files.note(kind, name, None if found == files.UNKEYED else found)
    project.place = place
    _pending.append((place, project))


def revision_loaded(project: Project) -> None:
    """A revision's load done (a comparison's base or head): its snapshot, keyed by its
    tree id, gives its findings, and is written when the command ends."""
    toplevel, commit = project.location.toplevel, project.loaded.tree.commit
    if toplevel is None or commit is None:
        return
    place = at_revision(toplevel, commit, project.location.prefix)
    if place is not None:  # a revision's files are all in its tree id
        place.reads = {}
        project.place = place
        _pending.append((place, project))


class Known(NamedTuple):
    findings: list[Finding]
    declarations: int
    files: int


def stored_at(place: Place) -> snapshots.Snapshot | None:
    """The snapshot stored for `place`, read once (and kept on it)."""
    if place.snapshot is None:
        place.snapshot = read(place) or False
    return place.snapshot or None


def known_check(place: Place, today: dt.date) -> Known | None:
    """The check result the snapshot for `place` keeps for `today`, when it is whole."""
    snap = stored_at(place)
    if snap is None:
        return None
    day = snap.findings(today.isoformat())
    if day is None:
        return None
    try:
        found = [Finding(rule, Severity(severity), message, Span(path, line, column),
                         subject=subject, field=field, value=value)
                 for rule, severity, message, path, line, column, subject, field, _, value
                 in day["findings"]]
        known = Known(found, int(day["declarations"]), int(day["files"]))
    except (KeyError, TypeError, ValueError):
        return None
    stored = [item[8] for item in day["findings"]]
    return known if stored == [f.fingerprint for f in found] else None


def built(project: Project) -> snapshots.Snapshot:
    """The snapshot of a loaded project (built once)."""
    found = _built.get(id(project))
    if found is not None and found[0] is project:
        return found[1]
    place = next((p for p, known in _pending if known is project), None)
    snap = snapshots.build(project, place.key if place else "")
    _built[id(project)] = (project, snap)
    return snap


def stored_for(project: Project) -> snapshots.Snapshot | None:
    """The snapshot stored for the state a project was loaded in (its place), if any:
    what building one from it would give."""
    return None if project.place is None else stored_at(project.place)


BACKGROUND_NODES = 5000


def flush(background: bool = False) -> None:
    """Write the snapshots of the loads this command made. With `background` (the console
    script), a large registry's is written by a forked process that outlives the command,
    which ends at once: the next command finds the snapshot, or loads."""
    while _pending:
        place, project = _pending.pop()
        reads = dict(place.reads or {})
        if files.UNKEYED in reads.values():  # read twice and found different
            continue
        checked = project.checked
        if background and len(project.catalog.by_id) >= BACKGROUND_NODES:
            from functools import partial

            from .fork import detach

            if detach(partial(_write, place, project, reads, checked)):
                continue
        _write(place, project, reads, checked)
    _built.clear()


def _write(place: Place, project: Project, reads: dict[tuple[str, str], str],
           checked: CheckResult | None) -> None:
    snap = built(project)
    snap.key = place.key
    before = stored_at(place)  # one written for this state before: the days it knows
    if before is not None:
        snap.raw_findings = before.raw_findings
    snap.meta["reads"] = sorted([kind, name, found] for (kind, name), found in reads.items())
    if checked is not None:
        snap.add_findings(project.today.isoformat(), findings_of(checked))
    snapshots.write(place.toplevel, snap)


def findings_of(result: CheckResult) -> dict[str, object]:
    """`check`'s result as the snapshot keeps it (one day's: the lifecycle rules count)."""
    return {"declarations": result.declarations, "files": result.files, "findings": [
        [f.rule, f.severity.value, f.message, f.span.path, f.span.line, f.span.column,
         f.subject, f.field, f.fingerprint, f.value] for f in result.findings]}
