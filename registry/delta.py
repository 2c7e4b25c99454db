"""`impact --base` from the two revisions' snapshots, loading only what the change touches.

When the snapshots of both revisions are stored, each with the findings of the day, the
comparison reads few files: those that differ between the two trees, the files declaring any
version of an artifact those files declare (on either side), and the files of whatever uses
one of those versions (on either side: its refs may resolve to another version now). What
reaches the changes, the features, owners and findings come from the snapshots
(registry.diff.Side). The refs of the files read to artifacts not read resolve to nothing on
both sides alike, so they compare equal, as they are.

Anything this cannot answer exactly loads both revisions whole: aireg.yaml, a template file,
a link or anything but a declaration file changed; a registry with environments or vector
indexes (their rules read more than declarations); a duplicate declaration; replace refs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import load as loading
from . import store
from .diff import Side, broken_declarations
from .files import CONFIG_FILE, Globs, Tree, selected
from .gitrepo import GitRepo, changed_paths, replace_refs
from .project import Project
from .refs import KIND_TO_REF
from .root import RegistryRoot
from .snapshot import Snapshot

if TYPE_CHECKING:
    from .cache import Cache

_FILE_MODES = frozenset({"100644", "100755", "000000"})  # a file, or absent on that side
# Kinds whose rules read what a declaration file does not hold (state files, corpora).
_WHOLE_KINDS = frozenset({"Environment", "VectorIndex"})
# Past this many changed files the whole load costs little more.
MAX_CHANGED = 500


@dataclass
class Revision:
    commit: str
    place: store.Place
    snap: Snapshot
    known: store.Known  # its check of the day


def stored(location: RegistryRoot, commit: str, today: dt.date) -> Revision | None:
    """A revision whose snapshot is stored with the day's findings."""
    assert location.toplevel is not None
    place = store.at_revision(location.toplevel, commit, location.prefix)
    snap = None if place is None else store.stored_at(place)
    known = None if place is None else store.known_check(place, today)
    if place is None or snap is None or known is None:
        return None
    kinds = {*snap.meta["kinds"]}
    return None if kinds & _WHOLE_KINDS else Revision(commit, place, snap, known)


def sides(location: RegistryRoot, base: Revision, head: Revision, today: dt.date,
          now: dt.datetime | None, use_cache: bool = True) -> tuple[Side, Side] | None:
    """Base and head, each a project of the files the comparison needs and its snapshot;
    None when the change needs both revisions loaded whole."""
    toplevel, prefix = location.toplevel, location.prefix
    assert toplevel is not None
    if replace_refs(toplevel) != "":
        return None
    changed = changed_paths(toplevel, base.commit, head.commit, prefix)
    if changed is None or len(changed) > MAX_CHANGED:
        return None
    repo = GitRepo.open(toplevel, "--base")
    rels = {path[len(prefix):] for _, _, path in changed}
    trees = [repo.tree(side.commit, prefix, sorted(rels)) for side in (base, head)]
    if trees[0].blob(CONFIG_FILE) is None:
        return None  # base has no registry here: the whole comparison says so
    templates = {*base.snap.meta["templates"], *head.snap.meta["templates"]}
    if any(old_mode not in _FILE_MODES or new_mode not in _FILE_MODES or
           path[len(prefix):] == CONFIG_FILE or path in templates
           for old_mode, new_mode, path in changed):
        return None
    if any(f.rule == "duplicate" for side in (base, head) for f in side.known.findings):
        return None
    cache = store_cache(toplevel) if use_cache else None
    projects = [_project(location, tree, sorted(rels), cache, today, now) for tree in trees]
    spec = projects[1].loaded.config.spec  # aireg.yaml is the same on both sides
    include, exclude = Globs(spec.include), Globs(spec.exclude)
    if not all(selected(rel, include, exclude) for rel in rels):
        return None  # a file that is not a declaration file changed
    keys = {(d.kind, d.name) for p in projects for d in p.loaded.decls}
    broken = {(kind, name) for kind, name, _ in broken_declarations(*projects)}
    more = _around(_versions_moved(keys, base.snap, head.snap) | broken,
                   (base.snap, head.snap), prefix) - rels
    if more:
        rels |= more
        trees = [repo.tree(side.commit, prefix, sorted(rels)) for side in (base, head)]
        projects = [_project(location, tree, sorted(rels), cache, today, now)
                    for tree in trees]
    for project, side in zip(projects, (base, head), strict=True):
        project.place = side.place  # its check is the snapshot's
    return Side(projects[0], base.snap), Side(projects[1], head.snap)


def _versions_moved(keys: set[tuple[str, str]], base: Snapshot, head: Snapshot
                    ) -> set[tuple[str, str]]:
    """The artifacts whose declared versions, or the version a ref with no range picks,
    differ between the two sides: refs to them may resolve anew, and their versions pair
    afresh. (An artifact edited in its versions' places pairs each with itself.)"""
    out = set()
    for kind, name in keys:
        ref_kind = KIND_TO_REF.get(kind)
        if ref_kind is None:
            continue
        found = [snap.artifact(ref_kind, name) for snap in (base, head)]
        named = [None if f is None else ([snap.ids[n] for n in f[0]], snap.ids[f[1]])
                 for f, snap in zip(found, (base, head), strict=True)]
        if named[0] != named[1]:
            out.add((kind, name))
    return out


def _project(location: RegistryRoot, tree: Tree, rels: list[str], cache: Cache | None,
             today: dt.date, now: dt.datetime | None) -> Project:
    return Project(location, loading.load_files(tree, rels, cache), today, now=now)


def _around(keys: set[tuple[str, str]], snaps: tuple[Snapshot, Snapshot], prefix: str
            ) -> set[str]:
    """The files of every version of these artifacts, and of whatever uses one, in either
    snapshot (relative to the registry's folder)."""
    out: set[str] = set()
    for snap in snaps:
        for kind, name in keys:
            ref_kind = KIND_TO_REF.get(kind)
            found = snap.artifact(ref_kind, name) if ref_kind else None
            if found is None:
                continue
            for node in found[0]:
                for n in (node, *(user for user, _ in snap.users(node))):
                    path = snap.place(n)[0]
                    if path.startswith(prefix):
                        out.add(path[len(prefix):])
    return out


def store_cache(toplevel: Path) -> Cache | None:
    from .cache import Cache

    return Cache.open(toplevel)
