"""`aireg history`: the commits that introduced or changed each version of an artifact.

It reads the files that declare the artifact now (and their template files) at every commit
that touched them, straight from git's object store, and pairs each commit's versions with
the commit before's as `impact --base` does (diff.pair_versions): a version is introduced,
changed in place, succeeds the version it replaced (`aireg bump` of 3.1.0 to 3.1.1: one
event of 3.1.1, with `previous` 3.1.0), or is removed with no successor. Changes carry the
change classes of `impact --base`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .decl import Decl
from .diff import CLASS_ORDER, field_changes, pair_versions
from .files import CONFIG_FILE, Tree
from .gitrepo import Commit, GitRepo
from .load import load_files
from .project import Project
from .refs import NodeId, Ref


@dataclass(frozen=True)
class Event:
    node: NodeId
    version: str | None
    commit: Commit
    change: str  # introduced | changed | succeeds | removed
    classes: tuple[str, ...]
    fields: tuple[str, ...]
    previous: NodeId | None = None  # the version this one succeeds


@dataclass(frozen=True)
class HistoryReport:
    """`aireg history`: the changes to one artifact (kind/name), oldest first."""

    artifact: str
    events: tuple[Event, ...]


def report(project: Project, ref: str, rev: str = "HEAD") -> HistoryReport:
    """The history of the artifact a ref given on the command line names (an error naming
    the ref when it names nothing declared)."""
    project.catalog.lookup(ref)
    parsed = Ref.parse(ref)
    return HistoryReport(f"{parsed.kind}/{parsed.name}", tuple(history(project, parsed, rev)))


def history(project: Project, ref: Ref, rev: str = "HEAD") -> list[Event]:
    """Every change to the artifact `ref` names (all its versions), oldest first.

    The files that declare it now, and their template files, are followed back through
    renames (git log --follow), so moving a file does not cut its history; nor does moving
    the whole registry folder: each commit is read at the folder its aireg.yaml was in then.
    """
    location = project.location
    repo = GitRepo.open(location.toplevel, "history")
    prefix = location.prefix
    declared = project.catalog.by_key.get(ref.key, [])
    yaml_paths = sorted({d.path for d in declared})
    template_paths = sorted({d.template_path for d in declared if d.template_path})
    names = {path: repo.renames(rev, path) for path in yaml_paths}
    touched = {sha for path in yaml_paths for sha, _ in names[path]}
    touched |= {sha for path in template_paths for sha, _ in repo.renames(rev, path)}
    ancestry = repo.ancestry(rev)
    order = [sha for sha in ancestry if sha in touched]
    # Over every commit: the one that moved aireg.yaml need not touch the artifact's files.
    position = {sha: index for index, sha in enumerate(ancestry)}
    configs = repo.renames(rev, prefix + CONFIG_FILE)
    events: list[Event] = []
    before: dict[str | None, Decl] = {}
    for sha in order:
        at = position[sha]
        config = _name_at(configs, position, at)
        root = config[:-len(CONFIG_FILE)] if config is not None else prefix
        rels = sorted({name[len(root):] for path in yaml_paths
                       if (name := _name_at(names[path], position, at)) is not None
                       and name.startswith(root)})
        tree: Tree = repo.tree(sha, root)
        commit = repo.commit_info(sha)
        now = {d.version: d for d in load_files(tree, rels).decls if (d.kind, d.name) == ref.key}
        for status, node, old, new in pair_versions(ref.key, before, now):
            if status == "removed" and old is not None:
                events.append(Event(node, old.version, commit, "removed", (), ()))
            elif new is None:
                continue
            elif old is None or status == "added":  # a version beside others: introduced too
                events.append(Event(node, new.version, commit, "introduced", (), ()))
            elif (changed := field_changes(old, new)) or status == "modified":
                found = {c.cls for c in changed}
                succeeds = status == "modified"  # a bump is listed even when nothing else moved
                events.append(Event(node, new.version, commit,
                                    "succeeds" if succeeds else "changed",
                                    tuple(c for c in CLASS_ORDER if c in found),
                                    tuple(c.field for c in changed), old.id if succeeds else None))
        before = now
    return events


def _name_at(renames: list[tuple[str, str]], position: dict[str, int], at: int) -> str | None:
    """A file's path (from the repository root) at the commit in position `at`."""
    name = None
    for sha, path in renames:
        if sha in position and position[sha] <= at:
            name = path
    return name
