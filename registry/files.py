"""The files of a registry, from a folder or from a git revision, behind one interface."""

from __future__ import annotations

import array
import functools
import hashlib
import operator
import os
import posixpath
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CONFIG_FILE = "aireg.yaml"


@dataclass(frozen=True)
class FileEntry:
    rel: str  # relative to the registry root, forward slashes
    is_link: bool = False
    is_dir: bool = False  # a link to a folder (never followed)


class Tree(Protocol):
    """A registry's files at one revision (or in the working tree)."""

    # The registry root relative to the repository root ("" or "examples/acme/"), so output
    # paths can be written relative to the repository root.
    prefix: str
    # The commit read, or None for the working tree.
    commit: str | None

    def files(self) -> list[FileEntry]: ...

    def read(self, rel: str) -> bytes | None: ...

    def head(self, rel: str, count: int) -> bytes: ...

    def blob_id(self, rel: str, data: bytes) -> str: ...

    def size(self, rel: str) -> int: ...

    def link_stays_inside(self, rel: str) -> bool: ...


def find_toplevel(start: Path) -> Path | None:
    """The enclosing git work tree, found without starting git (keeps start-up fast)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def find_root(start: Path) -> tuple[Path, Path | None] | None:
    """The registry folder around `start` (the nearest one upwards holding aireg.yaml, not
    leaving the git work tree) and that work tree; None when there is none."""
    toplevel = find_toplevel(start)
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder, toplevel
        if folder == toplevel:
            break
    return None


def display_path(tree: Tree, rel: str) -> str:
    return tree.prefix + rel


@functools.lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob with `**` (any number of folders), `*`, `?` and `[...]`, as a regex."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def excluded(rel: str, exclude: Iterable[str]) -> bool:
    """Whether a file, or a folder (then `dir/**` patterns count), is excluded."""
    return any(glob_regex(p).match(rel) or glob_regex(p).match(rel + "/") for p in exclude)


def selected(rel: str, include: Iterable[str], exclude: Iterable[str]) -> bool:
    return any(glob_regex(p).match(rel) for p in include) and not excluded(rel, exclude)


def escapes(rel: str) -> bool:
    """Whether a normalised relative path leaves the folder it is relative to."""
    return rel == ".." or rel.startswith("../") or posixpath.isabs(rel)


# --- what a command read beyond the walk ------------------------------------------------------
# The result cache keys an output on the walk of the working tree (FolderScan.state). A file
# the walk does not cover (under `.git`, or behind a link to a folder), where a link leads,
# or HEAD may be read as well: while an output is being recorded, each such read is noted
# with what it found, and the output is replayed only while each is found the same again.

recorded: dict[tuple[str, str], str] | None = None  # (kind, name) -> found; None: not recording
UNKEYED = "\0"  # found differently by two reads, or not known: the output is not stored


def note(kind: str, name: str, found: str | None) -> None:
    if recorded is not None:
        value = UNKEYED if found is None else found
        if recorded.setdefault((kind, name), value) != value:
            recorded[(kind, name)] = UNKEYED


def observe(kind: str, name: str) -> str | None:
    """What a read noted as (kind, name) finds now; None for a kind this module does not
    know."""
    if kind == "read":
        return _fingerprint(_read(name, None))
    if kind == "head":
        count, _, path = name.partition(":")
        return _fingerprint(_head(path, int(count)))
    if kind == "size":
        return str(_size(name))
    if kind == "link":
        return os.path.realpath(name)
    return None


def _fingerprint(data: bytes | None) -> str:
    return "absent" if data is None else hashlib.sha256(data).hexdigest()


def _walked(root: Path, rel: str) -> bool:
    """Whether the walk of `root` covers this path: it stays inside `root` and enters no
    `.git` folder and no link to a folder. (A link to a file is covered: the walk keys on
    what it leads to, or on the link itself while that is missing.)"""
    parts = rel.split("/")
    if ".git" in parts or ".." in parts or posixpath.isabs(rel):
        return False
    folder = str(root)
    for name in parts[:-1]:
        folder = os.path.join(folder, name)  # noqa: PTH118
        try:
            if stat.S_ISLNK(os.lstat(folder).st_mode):
                return False
        except OSError:
            return True  # it does not exist: making it changes the walk
    return True


class FolderScan:
    """Every file under a folder, found in one walk: the listing a load reads, and the state
    the result cache keys on (each file's path, size, modification and change times and
    inode, and each link to a folder's own), so a cold command walks the tree once, not
    twice. A warm command does nothing but this walk and a lookup, so the walk only gathers;
    the listing is made when a load asks for it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # (path relative to root, its stat, whether it is a link), each folder's together
        self.found: list[tuple[str, os.stat_result, bool]] = []
        # per folder: its path ("" or "a/b/"), where its files are in `found`, its
        # subfolders (names) and its links to folders (paths)
        self._folders: dict[str, tuple[int, int, list[str], list[str]]] = {}
        # Links to folders, each with its own stat: a link changed to lead elsewhere is a
        # new link (inode, change time), though nothing behind it is walked.
        self.folder_links: list[tuple[str, os.stat_result, bool]] = []
        self._walk(str(root), "")

    def state(self) -> tuple[str, int]:
        """A digest of every file's path, size, modification and change times and inode
        (and each link to a folder's), and the latest of those times (nanoseconds)."""
        # Built column by column in C (map, join, array) rather than a line a file in Python:
        # this is a good part of what a warm command does.
        # The change time too: a same-size edit that puts the modification time back (touch
        # -r) still changes it, and no one can set it.
        found = sorted(self.found + self.folder_links, key=_FIRST)
        infos = list(map(_SECOND, found))
        mtimes = list(map(_MTIME, infos))
        ctimes = list(map(_CTIME, infos))
        paths = "\0".join(map(_FIRST, found)).encode("utf-8", "surrogateescape")
        digest = hashlib.sha256(b"%d\0%d\0" % (len(found), len(paths)))  # one reading only
        digest.update(paths)
        digest.update(array.array("q", list(map(_SIZE, infos))).tobytes())
        digest.update(array.array("q", mtimes).tobytes())
        digest.update(array.array("q", ctimes).tobytes())
        digest.update(array.array("Q", list(map(_INODE, infos))).tobytes())
        return digest.hexdigest(), max(max(mtimes, default=0), max(ctimes, default=0))

    def listing(self) -> tuple[list[FileEntry], dict[str, int]]:
        """The files and links, each folder's files (by name) before its subfolders (by
        name), as git lists them; and the size of every plain file."""
        entries: list[FileEntry] = []
        stack = [""]
        while stack:
            folder = stack.pop()
            start, end, subfolders, links = self._folders[folder]
            mine = [FileEntry(rel, is_link=link) for rel, _, link in self.found[start:end]]
            mine += [FileEntry(rel, is_link=True, is_dir=True) for rel in links]
            mine.sort(key=_REL)
            entries += mine
            stack += [f"{folder}{name}/" for name in sorted(subfolders, reverse=True)]
        sizes = {rel: info[6] for rel, info, link in self.found if not link}
        return entries, sizes

    def _walk(self, folder: str, rel_base: str) -> None:
        # Links to folders are not followed (git keeps them as link entries too); they are
        # listed so that one leading out of the registry can be reported.
        found = self.found
        start = len(found)
        subfolders: list[tuple[str, str]] = []
        links: list[str] = []
        with os.scandir(folder) as scan:
            for item in scan:
                rel = rel_base + item.name
                if item.is_symlink():
                    if item.is_dir():
                        links.append(rel)
                        self.folder_links.append((rel, item.stat(follow_symlinks=False), True))
                        continue
                    try:  # what the link leads to: an edit there changes the answer
                        found.append((rel, item.stat(follow_symlinks=True), True))
                    except OSError:
                        found.append((rel, item.stat(follow_symlinks=False), True))
                elif item.is_dir():
                    if item.name != ".git":
                        subfolders.append((item.name, item.path))
                else:
                    found.append((rel, item.stat(), False))
        self._folders[rel_base] = (start, len(found), [name for name, _ in subfolders], links)
        for name, path in subfolders:
            self._walk(path, f"{rel_base}{name}/")


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # bytes as they are, on Windows too
_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)
_MTIME = operator.attrgetter("st_mtime_ns")
_CTIME = operator.attrgetter("st_ctime_ns")
_SIZE = operator.attrgetter("st_size")
_INODE = operator.attrgetter("st_ino")
_REL = operator.attrgetter("rel")


class FolderTree:
    """The registry as it is on disk (the working tree, or a folder outside git)."""

    commit: str | None = None

    def __init__(self, root: Path, prefix: str, scan: FolderScan | None = None) -> None:
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        self.prefix = prefix
        self._scan = scan  # a walk already made (for the result cache's key), used once
        self._sizes: dict[str, int] = {}

    def files(self) -> list[FileEntry]:
        scan, self._scan = self._scan, None
        if scan is None or scan.root != self.root:
            scan = FolderScan(self.root)
        entries, self._sizes = scan.listing()
        return entries

    def read(self, rel: str) -> bytes | None:
        path = os.path.join(self.root, rel)  # noqa: PTH118 - hot path
        data = _read(path, self._sizes.get(rel))
        if recorded is not None and rel not in self._sizes and not _walked(self.root, rel):
            note("read", path, _fingerprint(data))
        return data

    def head(self, rel: str, count: int) -> bytes:
        path = os.path.join(self.root, rel)  # noqa: PTH118 - hot path
        data = _head(path, count)
        if recorded is not None and rel not in self._sizes and not _walked(self.root, rel):
            note("head", f"{count}:{path}", _fingerprint(data))
        return data

    def blob_id(self, rel: str, data: bytes) -> str:
        from .cache import blob_id

        return blob_id(data)

    def size(self, rel: str) -> int:
        known = self._sizes.get(rel)
        if known is not None:
            return known
        path = os.path.join(self.root, rel)  # noqa: PTH118 - hot path
        size = _size(path)
        if recorded is not None and not _walked(self.root, rel):
            note("size", path, str(size))
        return size

    def link_stays_inside(self, rel: str) -> bool:
        path = str(self.root / rel)
        found = os.path.realpath(path)
        if rel not in self._sizes:  # a plain file of the walk is where the walk found it
            note("link", path, found)  # a link may lead elsewhere with nothing walked changed
        real = Path(found)
        return real == self.real_root or self.real_root in real.parents


def _read(path: str, expected: int | None) -> bytes | None:
    # One read of the size the walk saw, plus a byte to notice growth: a file object
    # costs twice as much on the small files a registry is made of.
    try:
        fd = os.open(path, _READ_FLAGS)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    try:
        expected = 65535 if expected is None else expected
        data = os.read(fd, expected + 1)
        if len(data) <= expected:
            return data  # a short read of a regular file is its end
        parts = [data]
        while part := os.read(fd, 1 << 20):
            parts.append(part)
        return b"".join(parts)
    except IsADirectoryError:
        return None
    finally:
        os.close(fd)


def _head(path: str, count: int) -> bytes:
    try:
        with open(path, "rb") as stream:  # noqa: PTH123 - hot path
            return stream.read(count)
    except OSError:
        return b""


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size  # noqa: PTH116
    except OSError:
        return 0
