"""`aireg history`: the commits that introduced or changed each version of an artifact.

It reads the files that declare the artifact now (and their template files) at every commit
that touched them, straight from git's object store, and compares each version with the one
before: introduced, changed (with the change classes of `impact --base`), or removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .diff import field_changes
from .files import Tree
from .gitrepo import Commit, GitRepo
from .load import Decl, load_files
from .project import Project
from .refs import NodeId, Ref


@dataclass(frozen=True)
class Event:
    node: NodeId
    version: str | None
    commit: Commit
    change: str  # introduced | changed | removed
    classes: tuple[str, ...]
    fields: tuple[str, ...]


def history(project: Project, ref: Ref, rev: str = "HEAD") -> list[Event]:
    """Every change to the artifact `ref` names (all its versions), oldest first."""
    location = project.location
    repo = GitRepo.open(location.toplevel, "history")
    prefix = location.prefix
    declared = project.catalog.by_key.get(ref.key, [])
    rels = sorted({d.path[len(prefix):] for d in declared})
    paths = sorted({*(d.path for d in declared),
                    *(d.template_path for d in declared if d.template_path)})
    events: list[Event] = []
    before: dict[NodeId, Decl] = {}
    for commit in repo.log(rev, paths or ["."]):
        tree: Tree = repo.tree(commit.sha, prefix)
        now = {d.id: d for d in load_files(tree, rels).decls if (d.kind, d.name) == ref.key}
        for node, decl in sorted(now.items()):
            old = before.get(node)
            if old is None:
                events.append(Event(node, decl.version, commit, "introduced", (), ()))
                continue
            changed = field_changes(old, decl)
            if changed:
                classes = tuple(sorted({c.cls for c in changed}))
                events.append(Event(node, decl.version, commit, "changed", classes,
                                    tuple(c.field for c in changed)))
        for node, decl in sorted(before.items()):
            if node not in now:
                events.append(Event(node, decl.version, commit, "removed", (), ()))
        before = now
    return events
