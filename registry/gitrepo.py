"""The only module that talks to git: revisions, trees and blobs, read from the object store.

Nothing is ever checked out: another revision's files are read as blobs through GitPython's
persistent `git cat-file --batch` process. The few questions the result cache asks before
anything is loaded (a revision's commit, HEAD, the replace refs) run git directly, without
importing GitPython, so that a replayed output stays cheap.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import posixpath
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NewType

from . import files
from .blobs import blob_id
from .files import FileEntry, LinkEnd, escapes
from .findings import GitRequired, RevisionNotFound

if TYPE_CHECKING:
    import git

BlobId = NewType("BlobId", str)
_LINK_MODE = "120000"
_LINK_MAX = 4096  # the longest path a link may hold on Linux (PATH_MAX)


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    day: str  # YYYY-MM-DD, the author date
    subject: str


class GitRepo:
    def __init__(self, toplevel: Path) -> None:
        import git  # imported only when git is needed (keeps start-up fast)

        self.toplevel = toplevel
        self._git = git
        self.repo: git.Repo = git.Repo(toplevel)
        if files.recorded is not None:  # replace refs change what any object reads as
            files.note("replace", str(toplevel), self.replaced)

    @functools.cached_property
    def replaced(self) -> str | None:
        """The replace refs git applies to what is read ("" for none, None if unknown)."""
        return replace_refs(self.toplevel)

    @classmethod
    def open(cls, toplevel: Path | None, why: str) -> GitRepo:
        if toplevel is None:
            raise GitRequired(f"{why} needs git, and this registry is not inside a git repository")
        return cls(toplevel)

    def resolve(self, rev: str) -> str:
        """The commit a revision names, or a RevisionNotFound that says how to get it."""
        try:
            sha = str(self.repo.commit(rev).hexsha)
            # A shallow clone names its missing parents without holding them: make sure the
            # commit itself can be read.
            self.repo.git.cat_file("-e", f"{sha}^{{commit}}")
            return sha
        except (self._git.BadName, ValueError, self._git.GitCommandError) as error:
            hint = "check the name, and that it is fetched (in CI, check out with fetch-depth: 0)"
            if (Path(self.repo.git_dir) / "shallow").exists():
                hint = ("this is a shallow clone that lacks it: fetch the history "
                        "(git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")
            raise RevisionNotFound(f"unknown git revision `{rev}`: {hint}") from error

    def holds(self, commit: str, path: str) -> bool:
        """Whether the commit's tree has a file at `path` (repository-relative)."""
        return bool(self.repo.git.ls_tree("--name-only", commit, "--", path))

    def head(self) -> str | None:
        """The commit HEAD points at, or None in a repository with no commit yet."""
        try:
            found: str | None = str(self.repo.head.commit.hexsha)
        except ValueError:
            found = None
        files.note("head", str(self.toplevel), found or "")
        return found

    def committed_at(self, sha: str) -> dt.datetime:
        commit = self.repo.commit(sha)
        when: dt.datetime = commit.committed_datetime
        return when.astimezone(dt.UTC)

    def log(self, rev: str, paths: list[str]) -> list[Commit]:
        """The commits up to `rev` that touched any of `paths` (repository-relative), oldest
        first."""
        sep = "\x1f"
        out = self.repo.git.log(f"--format=%H{sep}%an{sep}%ad{sep}%s", "--date=short",
                                "--reverse", rev, "--", *paths)
        commits = []
        for line in out.splitlines():
            sha, author, day, subject = line.split(sep, 3)
            commits.append(Commit(sha, author, day, subject))
        return commits

    def renames(self, rev: str, path: str) -> list[tuple[str, str]]:
        """(commit, the file's path in it) for every commit up to `rev` that touched `path`,
        following renames, oldest first."""
        out = self.repo.git.log("--follow", "--name-only", "--format=%x00%H", rev, "--", path)
        found: list[tuple[str, str]] = []
        for record in out.split("\0"):
            lines = [line for line in record.splitlines() if line.strip()]
            if len(lines) >= 2:
                found.append((lines[0], lines[-1]))
        return found[::-1]

    def ancestry(self, rev: str) -> list[str]:
        """Every commit reachable from `rev`, parents before children."""
        return str(self.repo.git.rev_list("--reverse", "--topo-order", rev)).split()

    def commit_info(self, sha: str) -> Commit:
        commit = self.repo.commit(sha)
        day = commit.authored_datetime.strftime("%Y-%m-%d")
        return Commit(str(commit.hexsha), str(commit.author.name), day,
                      str(commit.summary))

    def file_at(self, sha: str, path: str) -> bytes | None:
        """A file's content at a commit (path from the repository root), None if absent."""
        try:
            blob = self.repo.commit(sha).tree / path
        except KeyError:
            return None
        data: bytes = blob.data_stream.read()
        return data

    def tree(self, rev: str, prefix: str, paths: Iterable[str] | None = None) -> GitTree:
        return GitTree(self, self.resolve(rev), prefix, paths)

    def read_blob(self, blob: BlobId) -> bytes:
        data: bytes = self.repo.odb.stream(bytes.fromhex(blob)).read()
        return data

    def read_blob_head(self, blob: BlobId, count: int) -> bytes:
        """The first `count` bytes of a blob, from a git process of its own that is stopped
        then. (Dropping a half-read stream of the shared `cat-file --batch` process makes
        GitPython read the rest of the blob in one piece: all of an enormous file in memory.)
        """
        process = self.repo.git.cat_file("blob", blob, as_process=True)  # stops it when dropped
        try:
            data: bytes = process.proc.stdout.read(count)
        finally:
            process.proc.kill()
            process.proc.wait()
        return data


# --- without GitPython (the result cache's key) ---------------------------------------------


def git_dir(toplevel: Path) -> Path | None:
    dot = toplevel / ".git"
    if dot.is_dir():
        return dot
    if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            found = Path(text[len("gitdir:"):].strip())
            return found if found.is_absolute() else (toplevel / found).resolve()
    return None


def commit_of(toplevel: Path, rev: str) -> str | None:
    """The commit a revision names now (branches move), or None if git does not know it."""
    try:
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                              cwd=toplevel, capture_output=True, text=True, check=False)
    except OSError:
        return None
    sha = done.stdout.strip()
    return sha if done.returncode == 0 and sha else None


def replace_refs(toplevel: Path) -> str | None:
    """The replace refs (`git replace`), each name and target: with any, what a commit,
    tree or blob id reads as is not what the id says. "" for none; None when git cannot
    tell."""
    base = os.environ.get("GIT_REPLACE_REF_BASE", "refs/replace/")
    return _git(toplevel, "for-each-ref", "--format=%(refname) %(objectname)", base)


def changed_paths(toplevel: Path, base: str, head: str, prefix: str
                  ) -> list[tuple[str, str, str]] | None:
    """What differs between two commits under `prefix`: each path (from the repository
    root) with its mode on each side ("000000" where it is absent); renames are a removal
    and an addition. None when git cannot tell."""
    try:
        done = subprocess.run(["git", "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id",
                               base, head, "--", prefix or "."], cwd=toplevel,
                              capture_output=True, check=False)
    except OSError:
        return None
    if done.returncode != 0:
        return None
    fields = done.stdout.split(b"\0")
    out = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        parts = meta.decode().lstrip(":").split()
        if len(parts) < 5:
            return None
        out.append((parts[0], parts[1], os.fsdecode(path)))
    return out


def head_of(toplevel: Path) -> str | None:
    """The commit HEAD points at ("" before the first commit), or None when git cannot
    tell."""
    found = _git(toplevel, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    return "" if found is None and _git(toplevel, "rev-parse", "--git-dir") else found


def _git(toplevel: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=toplevel, capture_output=True, text=True,
                              check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


# What the snapshot's key asks (registry.state): git's answers made as strict as they can
# be, whatever the user's settings: the change time counts, every stat field counts, no file
# system monitor is trusted.
_STRICT = ("-c", "core.trustctime=true", "-c", "core.checkStat=default",
           "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false")


def tree_id(toplevel: Path, commit: str, prefix: str) -> str | None:
    """The id of the registry folder's tree at a commit; "" when the commit has no such
    folder (or there is no commit yet); None when git cannot tell."""
    found = _git(toplevel, *_STRICT, "rev-parse", "--verify", "--quiet", f"{commit}:{prefix}")
    if found is None:
        return "" if _git(toplevel, *_STRICT, "rev-parse", "--git-dir") is not None else None
    return found


def start_status(toplevel: Path, prefix: str) -> Callable[[], bytes | None] | None:
    """`git status` of the registry folder started (every path changed, staged, untracked
    or ignored, NUL-separated, no renames), and a function that waits for its listing (None
    when git failed), so the caller works while git walks; None when git cannot be run."""
    try:
        status = subprocess.Popen(
            ["git", *_STRICT, "status", "--porcelain=v1", "-z", "--untracked-files=all",
             "--ignored=traditional", "--no-renames", "--ignore-submodules=none", "--",
             f":(top,literal){prefix}" if prefix else ":/"],
            cwd=toplevel, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None

    def listing() -> bytes | None:
        out, _ = status.communicate()
        return out if status.returncode == 0 else None

    return listing


class GitTree:
    """A registry's files at one commit. With `paths`, only those are listed at first, and
    any other when it is asked for (a comparison reads a few files of a large tree)."""

    def __init__(self, repo: GitRepo, commit: str, prefix: str,
                 paths: Iterable[str] | None = None) -> None:
        self.repo = repo
        self.commit: str | None = commit
        self.prefix = prefix
        self._entries: dict[str, tuple[str, BlobId, int]] = {}
        self._folder_set: set[str] | None = None
        self._complete = paths is None
        self._asked: set[str] = set()
        if paths is None:
            self._list([prefix or "."])
        else:
            self._asked.update(paths)
            self._list([f":(literal){prefix}{rel}" for rel in sorted(self._asked)])

    def _list(self, specs: list[str]) -> None:
        if not specs:
            return
        listing = self.repo.repo.git.ls_tree("-r", "-z", "-l", "--full-tree", self.commit,
                                             "--", *specs)
        prefix = self.prefix
        for record in listing.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            mode, kind, blob, size = meta.split(maxsplit=3)
            if kind != "blob" or not path.startswith(prefix):
                continue
            self._entries[path[len(prefix):]] = (mode, BlobId(blob), int(size.strip() or 0))

    def _entry(self, rel: str) -> tuple[str, BlobId, int] | None:
        entry = self._entries.get(rel)
        if entry is None and not self._complete and rel not in self._asked:
            self._asked.add(rel)
            self._list([f":(literal){self.prefix}{rel}"])
            entry = self._entries.get(rel)
        return entry

    def _whole(self) -> None:
        if not self._complete:
            self._complete = True
            self._list([self.prefix or "."])

    def files(self) -> list[FileEntry]:
        self._whole()
        return [FileEntry(rel, mode == _LINK_MODE) for rel, (mode, _, _) in
                sorted(self._entries.items())]

    def blob(self, rel: str) -> BlobId | None:
        entry = self._entry(rel)
        return entry[1] if entry else None

    def read(self, rel: str) -> bytes | None:
        target = self._follow(rel)
        entry = self._entry(target) if target is not None else None
        return self.repo.read_blob(entry[1]) if entry else None

    def blob_id(self, rel: str, data: bytes) -> str:
        """The blob's id, from the tree listing (a link's is that of what it points to)."""
        target = self._follow(rel)
        entry = self._entry(target) if target is not None else None
        if entry is None or self.repo.replaced != "":  # replaced: the id is not the content's
            return blob_id(data)
        return str(entry[1])

    def known_blob(self, rel: str) -> str | None:
        """The blob id a path ends at, from the tree listing alone (so a cached parse needs
        no read); None for a link, or when replace refs make ids differ from contents."""
        entry = self._entry(rel)
        if entry is None or entry[0] == _LINK_MODE or self.repo.replaced != "":
            return None
        return str(entry[1])

    def head(self, rel: str, count: int) -> bytes:
        target = self._follow(rel)
        entry = self._entry(target) if target is not None else None
        return b"" if entry is None else self.repo.read_blob_head(entry[1], count)

    def size(self, rel: str) -> int:
        """The size of the blob a path ends at (through links), from the tree listing: a
        small link must not let a large file past the size limit."""
        target = self._follow(rel)
        entry = self._entry(target) if target is not None else None
        return entry[2] if entry else 0

    def link_stays_inside(self, rel: str) -> bool:
        return self._end(rel)[0] is not LinkEnd.OUTSIDE

    def link_end(self, rel: str) -> LinkEnd:
        return self._end(rel)[0]

    def _follow(self, rel: str) -> str | None:
        """Where a chain of links ends inside the registry; None when it leaves it or loops."""
        end, target = self._end(rel)
        return None if end in (LinkEnd.OUTSIDE, LinkEnd.LOOP) else target

    def _end(self, rel: str) -> tuple[LinkEnd, str]:
        """Where a chain of links ends, and the path it ends at."""
        seen: set[str] = set()
        while True:
            entry = self._entry(rel)
            if entry is None:
                return (LinkEnd.INSIDE if rel in self._folders() else LinkEnd.MISSING), rel
            mode, blob, size = entry
            if mode != _LINK_MODE:
                return LinkEnd.INSIDE, rel
            if rel in seen:
                return LinkEnd.LOOP, rel
            seen.add(rel)
            if size > _LINK_MAX:  # no system follows a link this long
                return LinkEnd.MISSING, rel
            target = self.repo.read_blob(blob).decode("utf-8", "replace")
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            if escapes(rel) or target.startswith("/"):
                return LinkEnd.OUTSIDE, rel

    def _folders(self) -> set[str]:
        """Every folder that holds a file, for links to folders (asked only of links that
        lead to no file)."""
        if self._folder_set is None:
            self._whole()
            self._folder_set = {".", *(posixpath.dirname(rel) for rel in self._entries)}
            for folder in list(self._folder_set):
                while folder:
                    folder = posixpath.dirname(folder)
                    self._folder_set.add(folder)
        return self._folder_set
