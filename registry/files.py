"""The files of a registry, from a folder or from a git revision, behind one interface."""

from __future__ import annotations

import array
import enum
import errno
import hashlib
import operator
import os
import posixpath
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .blobs import blob_id

CONFIG_FILE = "aireg.yaml"


@dataclass(frozen=True)
class FileEntry:
    rel: str  # relative to the registry root, forward slashes
    is_link: bool = False
    is_dir: bool = False  # a link to a folder (never followed)


class LinkEnd(enum.Enum):
    """Where a chain of links ends."""

    INSIDE = "inside"  # at a file or folder of the registry
    OUTSIDE = "outside"  # out of the registry
    LOOP = "loop"  # back at a link of the chain: at nothing that can be read
    MISSING = "missing"  # at a path inside the registry where nothing is


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

    def link_end(self, rel: str) -> LinkEnd: ...


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


class GlobError(ValueError):
    """A glob that cannot be used; the message says what is wrong and how to write it."""


# What one step of a glob accepts: a character (LITERAL), any but `/` (ONE: `?`, and `*`
# looping), any at all (ANY: `**` looping), or one of a `[...]` class (never `/`).
_LITERAL, _ONE, _ANY, _CLASS = range(4)
_Test = tuple[int, str, tuple[tuple[str, str], ...], bool]  # kind, characters, ranges, negated
# A glob's parts: one character's test, or a loop: `*` (within a folder), `**` (across
# folders), `**/` (nothing, or anything that ends with `/`).
_STEP, _STAR, _STARS, _FOLDERS = range(4)
_Part = tuple[int, _Test | None]
# Loops that, side by side, match what the first one alone matches (`**` then `*` is `**`).
_ABSORBS = {(_STAR, _STAR): _STAR, (_STAR, _STARS): _STARS, (_STARS, _STAR): _STARS,
            (_STARS, _STARS): _STARS, (_STARS, _FOLDERS): _STARS, (_FOLDERS, _STARS): _STARS,
            (_FOLDERS, _FOLDERS): _FOLDERS}
_NOT_SLASH: _Test = (_ONE, "", (), False)
_ANYTHING: _Test = (_ANY, "", (), False)
_SLASH: _Test = (_LITERAL, "/", (), False)


def _parts(glob: str) -> list[_Part]:
    """A glob with `**` (any number of folders), `*`, `?` and `[...]` (`[!...]` negated),
    as parts; a GlobError for a `[` that is not closed or a range that runs backwards."""
    parts: list[_Part] = []
    i = 0
    while i < len(glob):
        c = glob[i]
        part: _Part
        if glob.startswith("**/", i):
            part, i = (_FOLDERS, None), i + 3
        elif glob.startswith("**", i):
            part, i = (_STARS, None), i + 2
        elif c == "*":
            part, i = (_STAR, None), i + 1
        elif c == "?":
            part, i = (_STEP, _NOT_SLASH), i + 1
        elif c == "[":
            test, i = _class(glob, i)
            part = (_STEP, test)
        else:
            part, i = (_STEP, (_LITERAL, c, (), False)), i + 1
        loops = (parts[-1][0], part[0]) if parts else None
        if loops in _ABSORBS:  # collapsed, so runs of `*` add no states
            parts[-1] = (_ABSORBS[loops], None)
        else:
            parts.append(part)
    return parts


def _class(glob: str, start: int) -> tuple[_Test, int]:
    """The `[...]` at `start`: its test and the index after it. A `]` first in the class is
    one of its characters, as in fnmatch."""
    i = start + 1
    negated = glob[i : i + 1] in ("!", "^")
    i += negated
    chars: list[str] = []
    ranges: list[tuple[str, str]] = []
    first = i
    while i < len(glob) and (glob[i] != "]" or i == first):
        if glob[i + 1 : i + 2] == "-" and i + 2 < len(glob) and glob[i + 2] != "]":
            low, high = glob[i], glob[i + 2]
            if low > high:
                raise GlobError(f"the glob `{glob}` has the range `{low}-{high}`, which runs "
                                f"backwards: write `{high}-{low}`")
            ranges.append((low, high))
            i += 3
        else:
            chars.append(glob[i])
            i += 1
    if i >= len(glob):
        raise GlobError(f"the glob `{glob}` opens a `[` (character {start + 1}) that no `]` "
                        "closes: close it, or write `[[]` to match a `[` itself")
    return (_CLASS, "".join(chars), tuple(ranges), negated), i + 1


def check_glob(glob: str) -> None:
    """Raises GlobError, saying what is wrong, for a glob that cannot be used."""
    _parts(glob)


def _accepts(test: _Test, c: str) -> bool:
    kind, chars, ranges, negated = test
    if kind == _LITERAL:
        return c == chars
    if kind == _ANY:
        return True
    if c == "/":
        return False
    if kind == _ONE:
        return True
    return (c in chars or any(low <= c <= high for low, high in ranges)) != negated


# Cached automaton states, counted in the glob positions they hold, before the cache is
# started again: bounds memory whatever the globs.
_CACHED_POSITIONS = 1_000_000


class Globs:
    """Several globs (any may match), matched in one pass over a path: the globs' positions
    make a nondeterministic automaton, whose deterministic states are built as paths need
    them and kept. Each character of a path is then one table lookup, or once a step over
    the positions it may be at: work grows with the path's length times the globs' at
    worst, never exponentially as a backtracking regex does on globs like `a*a*a*a*b`."""

    def __init__(self, globs: Iterable[str]) -> None:
        self.globs = tuple(globs)
        self._moves: list[list[tuple[_Test, int]]] = []  # per position: (test, next position)
        self._skips: list[list[int]] = []  # per position: positions reached without a character
        self._ends: set[int] = set()  # positions where a glob has matched
        starts = [self._add(_parts(glob)) for glob in self.globs]
        self._closures = [self._closure(position) for position in range(len(self._moves))]
        self._start = frozenset().union(*(self._closures[s] for s in starts))
        self._reset()

    def _add(self, parts: list[_Part]) -> int:
        """One glob's positions (one per part, plus its end); returns its first."""
        first = len(self._moves)
        for kind, test in parts:
            here = self._position()
            if kind == _STEP:
                assert test is not None
                self._moves[here].append((test, here + 1))
            elif kind in (_STAR, _STARS):
                self._moves[here].append((_NOT_SLASH if kind == _STAR else _ANYTHING, here))
                self._skips[here].append(here + 1)
            else:  # `**/`: nothing, or a run of anything ended by a `/` (its own position)
                inside = self._position()
                self._skips[here] += [inside + 1, inside]
                self._moves[inside] += [(_ANYTHING, inside), (_SLASH, inside + 1)]
        self._ends.add(self._position())
        return first

    def _position(self) -> int:
        self._moves.append([])
        self._skips.append([])
        return len(self._moves) - 1

    def _closure(self, position: int) -> frozenset[int]:
        found = {position}
        todo = [position]
        while todo:
            for skip in self._skips[todo.pop()]:
                if skip not in found:
                    found.add(skip)
                    todo.append(skip)
        return frozenset(found)

    def _reset(self) -> None:
        self._states: list[frozenset[int]] = []
        self._ids: dict[frozenset[int], int] = {}
        self._next: list[dict[str, int]] = []  # per state: character -> state
        self._matched: list[bool] = []
        self._cached = 0
        self._state(self._start)
        self._dead = self._state(frozenset())

    def _state(self, positions: frozenset[int]) -> int:
        found = self._ids.get(positions)
        if found is None:
            found = self._ids[positions] = len(self._states)
            self._states.append(positions)
            self._next.append({})
            self._matched.append(not self._ends.isdisjoint(positions))
            self._cached += len(positions)
        return found

    def _step(self, state: int, c: str) -> int:
        reached: set[int] = set()
        for position in self._states[state]:
            for test, target in self._moves[position]:
                if _accepts(test, c):
                    reached |= self._closures[target]
        after = self._next[state][c] = self._state(frozenset(reached))
        return after

    def _run(self, text: str, state: int) -> int:
        table = self._next
        dead = self._dead
        for c in text:
            after = table[state].get(c)
            state = self._step(state, c) if after is None else after
            if state == dead:
                break
        return state

    def match(self, rel: str) -> bool:
        if self._cached > _CACHED_POSITIONS:
            self._reset()
        return self._matched[self._run(rel, 0)]

    def match_folder(self, rel: str) -> bool:
        """Whether `rel` matches, or `rel/` does (then `dir/**` globs count)."""
        if self._cached > _CACHED_POSITIONS:
            self._reset()
        state = self._run(rel, 0)
        return self._matched[state] or self._matched[self._run("/", state)]


def excluded(rel: str, exclude: Globs) -> bool:
    """Whether a file, or a folder (then `dir/**` patterns count), is excluded."""
    return exclude.match_folder(rel)


def selected(rel: str, include: Globs, exclude: Globs) -> bool:
    return include.match(rel) and not exclude.match_folder(rel)


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
                    try:
                        to_folder = item.is_dir()
                    except OSError:  # a loop of links: listed as a file, for the loader to report
                        to_folder = False
                    if to_folder:
                        links.append(rel)
                        self.folder_links.append((rel, item.stat(follow_symlinks=False), True))
                        continue
                    try:  # what the link leads to: an edit there changes the answer
                        info = item.stat(follow_symlinks=True)
                    except OSError:
                        info = item.stat(follow_symlinks=False)
                    else:
                        if not stat.S_ISREG(info.st_mode):
                            continue  # a link to a FIFO, socket or device: as below
                    found.append((rel, info, True))
                elif item.is_dir():
                    if item.name != ".git":
                        subfolders.append((item.name, item.path))
                elif item.is_file():
                    found.append((rel, item.stat(), False))
                # A FIFO, socket or device is left out: it holds no declaration, and reading a
                # FIFO waits for a writer for ever.
        self._folders[rel_base] = (start, len(found), [name for name, _ in subfolders], links)
        for name, path in subfolders:
            self._walk(path, f"{rel_base}{name}/")


READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # bytes as they are, on Windows too
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
        return self.link_end(rel) is not LinkEnd.OUTSIDE

    def link_end(self, rel: str) -> LinkEnd:
        path = str(self.root / rel)
        try:
            found = os.path.realpath(path, strict=True)
            end = LinkEnd.INSIDE
        except OSError as error:
            if error.errno == errno.ELOOP:
                found, end = "", LinkEnd.LOOP
            else:
                found, end = os.path.realpath(path), LinkEnd.MISSING  # where it would be
        if rel not in self._sizes:  # a plain file of the walk is where the walk found it
            note("link", path, found or "loop")  # it may lead elsewhere, nothing walked changed
        if end is LinkEnd.LOOP:
            return end
        real = Path(found)
        inside = real == self.real_root or self.real_root in real.parents
        return end if inside else LinkEnd.OUTSIDE


def _read(path: str, expected: int | None) -> bytes | None:
    # One read of the size the walk saw, plus a byte to notice growth: a file object
    # costs twice as much on the small files a registry is made of.
    try:
        fd = os.open(path, READ_FLAGS)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:  # a loop of links leads to no file
            return None
        raise
    try:
        return read_descriptor(fd, 65535 if expected is None else expected)
    except IsADirectoryError:
        return None
    finally:
        os.close(fd)


def read_descriptor(fd: int, expected: int, limit: int | None = None) -> bytes | None:
    """What is left of an open file: one read of the size expected, plus a byte to notice
    growth (a short read of a regular file is its end), then chunks to the end; None once
    it holds more than `limit` bytes."""
    data = os.read(fd, expected + 1)
    if len(data) <= expected:
        return data
    parts, total = [data], len(data)
    while part := os.read(fd, 1 << 20):
        total += len(part)
        if limit is not None and total > limit:
            return None
        parts.append(part)
    return b"".join(parts)


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
