"""Finding the registry: the nearest folder upwards holding aireg.yaml, in the working tree
or at a revision, and the tree of its files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .files import CONFIG_FILE, FolderScan, FolderTree, Tree, find_root, find_toplevel
from .findings import RegistryNotFound
from .gitrepo import GitRepo


@dataclass(frozen=True)
class RegistryRoot:
    """Where a registry is: its folder, and the git work tree around it."""

    root: Path  # the registry folder on disk (may not exist at --rev)
    toplevel: Path | None  # the git work tree, if any

    @property
    def prefix(self) -> str:
        if self.toplevel is None:
            return ""
        rel = self.root.relative_to(self.toplevel).as_posix()
        return "" if rel == "." else rel + "/"


def find_registry(start: Path, rev: str | None = None, option: str = "--rev") -> RegistryRoot:
    """The registry around `start`: the nearest folder upwards holding aireg.yaml."""
    start = start.resolve()
    if not start.is_dir():
        raise RegistryNotFound(f"{start} is not a folder")
    toplevel = find_toplevel(start)
    top = toplevel or Path(start.anchor)
    candidates = [start, *[p for p in start.parents if p == top or top in p.parents]]
    if rev is not None:
        repo = GitRepo.open(toplevel, option)
        assert toplevel is not None
        commit = repo.resolve(rev)
        for folder in candidates:
            rel = folder.relative_to(toplevel).as_posix()
            path = CONFIG_FILE if rel == "." else f"{rel}/{CONFIG_FILE}"
            if repo.holds(commit, path):
                return RegistryRoot(folder, toplevel)
        raise RegistryNotFound(
            f"no {CONFIG_FILE} at revision `{rev}` in {start} or any folder above it")
    found = find_root(start)
    if found is not None:
        return RegistryRoot(*found)
    raise RegistryNotFound(
        f"no {CONFIG_FILE} in {start} or any folder above it: run aireg inside a registry, "
        f"or point -C at the folder that holds {CONFIG_FILE}")


def open_tree(location: RegistryRoot, rev: str | None, option: str = "--rev",
              scan: FolderScan | None = None) -> Tree:
    if rev is None:
        return FolderTree(location.root, location.prefix, scan)
    return GitRepo.open(location.toplevel, option).tree(rev, location.prefix)
