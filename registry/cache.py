"""The cache: one SQLite file inside the git directory (`.git/aireg/cache.sqlite3`).

Two tables, both safe to lose:

- `parsed`: what a declaration file parses to, keyed by its git blob id (content-addressed,
  so it holds across branches and revisions). A warm load parses only files it has not seen.
- `results`: a command's whole output, keyed by a digest of everything it read — aireg's
  own files, the command line, the day, the GIT_ variables, and the state of every file of
  the registry (size, modification and change times and inode in the working tree; commit
  ids and replace refs for revisions). What a command read that the key does not cover (a
  file under `.git` or behind a link to a folder, HEAD) is kept with the output and found
  again before it is replayed (registry.files notes those reads). Running a command again
  on unchanged input prints the same bytes without loading anything.

Nothing here is trusted: values are JSON that reads back exactly what was stored, each row
with a checksum, read back through the same validation as a fresh parse; a damaged row is
dropped (and made again by the command), and a file that is corrupt, from another format
version, or not a cache at all is deleted and rebuilt. This module imports nothing heavy: a
hit must stay cheap.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from . import files, fork, gitrepo
from .files import FolderScan

# The output key names the commits of revisions and the replace refs; the command line's
# cache lookup asks for them here.
from .gitrepo import commit_of as commit_of
from .gitrepo import head_of
from .gitrepo import replace_refs as replace_refs

FORMAT = 5  # 3: exact tagged JSON and checksums; 4: the inputs of an output; 5: no parse of
# a file with import records
KEEP_RESULTS = 32  # the most recently used outputs kept
# When an output was last used is recorded to the hour: a write on every hit would cost a
# warm command more than its lookup.
USED_RESOLUTION = 3600.0
MAX_RESULT_BYTES = 64 * 1024 * 1024  # a larger output is recomputed rather than stored
# A file modified this recently may change again within the clock's resolution without
# its size or time changing ("racily clean", as git calls it): no result is cached then.
FRESH_SECONDS = 2.0


class Cache:
    def __init__(self, path: Path, timeout: float = 2.0) -> None:
        self.path = path
        self.timeout = timeout
        self.db = self._connect()

    @classmethod
    def open(cls, toplevel: Path | None) -> Cache | None:
        """The repository's cache, or None outside git or where it cannot be written."""
        if toplevel is None:
            return None
        folder = gitrepo.git_dir(toplevel)
        if folder is None:
            return None
        try:
            (folder / "aireg").mkdir(exist_ok=True)
            return cls(folder / "aireg" / "cache.sqlite3")
        except (OSError, sqlite3.Error):
            return None

    def _connect(self) -> sqlite3.Connection:
        for attempt in (1, 2):
            try:
                db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                # A cache may lose its last writes in a power cut, never its consistency.
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                row = db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
                if row is None:
                    db.executescript(
                        "CREATE TABLE IF NOT EXISTS parsed (blob TEXT PRIMARY KEY, data BLOB,"
                        " sum INTEGER);"
                        "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, code INTEGER,"
                        " out BLOB, err BLOB, used REAL, inputs TEXT, sum INTEGER);")
                    db.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
                elif row[0] != str(FORMAT):
                    raise sqlite3.DatabaseError(f"cache format {row[0]}")
                return db
            except sqlite3.Error:
                # Corrupt, foreign or of another format: start again from nothing.
                if attempt == 2:
                    raise
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        raise AssertionError("unreachable")

    # --- whole outputs --------------------------------------------------------------------

    def result(self, key: str) -> Stored | None:
        """The output stored under `key`, with the inputs to check before it is used; None
        when there is none, or it is damaged (then it is dropped)."""
        try:
            row = self.db.execute("SELECT code, out, err, used, inputs, sum FROM results "
                                  "WHERE key=?", (key,)).fetchone()
            if row is None:
                return None
            code, out, err, used, inputs, check = row
            stored = _stored(code, out, err, inputs, check)
            if stored is None:
                self.db.execute("DELETE FROM results WHERE key=?", (key,))
                return None
            now = time.time()
            if not isinstance(used, float) or used < now - USED_RESOLUTION:
                self.db.execute("UPDATE results SET used=? WHERE key=?", (now, key))
        except sqlite3.Error:
            return None
        return stored

    def store_result(self, key: str, code: int, out: bytes, err: bytes,
                     inputs: list[tuple[str, str, str]] | None = None) -> None:
        """Keep an output; `inputs` are what the command read that `key` does not cover,
        each (kind, name, what was found), checked again before the output is replayed."""
        if len(out) + len(err) > MAX_RESULT_BYTES:
            return
        listed = json.dumps(inputs or [])
        try:
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (key, code, out, err, time.time(), listed,
                             _checksum(code, out, err, listed)))
            self.db.execute("DELETE FROM results WHERE key NOT IN (SELECT key FROM results "
                            "ORDER BY used DESC LIMIT ?)", (KEEP_RESULTS,))
        except sqlite3.Error:
            pass

    # --- parsed files ---------------------------------------------------------------------

    def parsed(self, blobs: Iterable[str]) -> dict[str, Any]:
        wanted = list(blobs)
        found: dict[str, Any] = {}
        damaged: list[str] = []
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                # As bytes whatever was stored: a damaged row must not fail the whole query.
                for blob, data, check in self.db.execute(
                        f"SELECT blob, CAST(data AS BLOB), sum FROM parsed WHERE blob IN "
                        f"({marks})", chunk):
                    value = decode(data) if type(data) is bytes and \
                        zlib.crc32(data) == check else None
                    if type(value) is list:  # the documents of a file
                        found[blob] = value
                    else:
                        damaged.append(blob)
            if damaged:  # parsed again by the caller, and stored again if clean
                self.db.executemany("DELETE FROM parsed WHERE blob=?", [(b,) for b in damaged])
        except sqlite3.Error:
            return found
        return found

    def store_parsed(self, items: dict[str, Any], background: bool = False) -> None:
        """Keep parsed files. With `background`, a forked process encodes and writes them
        while this one goes on (a large registry's cold load then does not wait for its
        cache); `wait_for_writers` collects it."""
        if background and self._write_in_background(items):
            return
        # In key order: the table's B-tree is then appended to rather than split all over.
        rows = sorted((blob, data, zlib.crc32(data)) for blob, value in items.items()
                      if (data := encode(value)) is not None)
        try:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?)", rows)
            self.db.execute("COMMIT")
        except sqlite3.Error:
            pass

    def _write_in_background(self, items: dict[str, Any]) -> bool:
        """Whether a forked writer took the items (False: no process could be made)."""
        wait_for_writers()  # one writer at a time: a second would wait for the lock
        _held.clear()
        # Its own connection: one opened before a fork must not be used after it.
        def write() -> None:
            fork.quiet()  # the command may end first (store_when_free)
            Cache(self.path, timeout=60.0).store_parsed(items)

        writer = fork.start(write)
        if writer is None:
            return False
        _writers.append(writer)
        # Kept (until the next write): freeing them now would write to pages the writer
        # still shares, each write a copy of the page, and a command that ends soon after
        # need not free them at all.
        _held.append(items)
        return True


class Stored(NamedTuple):
    """An output kept in the cache."""

    code: int
    out: bytes
    err: bytes
    inputs: list[tuple[str, str, str]]


def _checksum(code: int, out: bytes, err: bytes, inputs: str) -> int:
    return zlib.crc32(err, zlib.crc32(out, zlib.crc32(b"%d\0%s\0" % (code, inputs.encode()))))


def _stored(code: Any, out: Any, err: Any, inputs: Any, check: Any) -> Stored | None:
    """A results row as stored, or None when it is damaged."""
    if type(code) is not int or type(out) is not bytes or type(err) is not bytes or \
            type(inputs) is not str or _checksum(code, out, err, inputs) != check:
        return None
    try:
        listed = json.loads(inputs)
    except ValueError:
        return None
    if type(listed) is not list or not all(
            type(item) is list and len(item) == 3 and all(type(part) is str for part in item)
            for item in listed):
        return None
    return Stored(code, out, err, [(kind, name, found) for kind, name, found in listed])


_writers: list[fork.Child[None]] = []  # background writers not yet collected
_held: list[Any] = []  # what they write


def wait_for_writers() -> None:
    """Wait until every background write of this process has finished."""
    while _writers:
        writer = _writers.pop()
        with contextlib.suppress(ChildProcessError):
            writer.wait()


def store_when_free(cache: Cache, key: str, code: int, out: bytes, err: bytes,
                    inputs: list[tuple[str, str, str]], detached: bool) -> None:
    """Keep an output once the parse cache's writer is done with the write lock. With
    `detached` (the console script), a process of its own waits for it and keeps the
    output, and this one ends now: at 100,000 declarations the writer can outlast the
    rest of a cold check by seconds, which no user needs to wait for."""
    if _writers and detached and fork.detach(
            lambda: Cache(cache.path, timeout=60.0).store_result(key, code, out, err, inputs)):
        _writers.clear()  # they finish by themselves; nobody waits for them
        return
    wait_for_writers()
    cache.store_result(key, code, out, err, inputs)


# --- JSON for parsed YAML values ------------------------------------------------------------
# A parsed file must read back exactly as it was parsed, whatever it holds: the JSON has a
# tag for each value JSON lacks, as a one-key object whose key starts with `$` ({"$d": day},
# {"$dt": time}, {"$b": base64}, {"$s": [set]}, {"$t": [tuple]}, {"$f": [float, spelling]}),
# and a mapping JSON cannot write as an object, or one with a key starting with `$`, is
# {"$m": [[key, value], ...]}. So no one-key object a file wrote is ever read as a tag.


def _plain(value: Any) -> bool:
    """Whether the C encoder writes `value` exactly as it is (its `default` tags days and
    times): no keys but strings not starting with `$`, no tuples, sets, bytes or float
    spellings. Checked without building anything: most files are plain."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or key[:1] == "$":
                return False
            kind = type(item)
            if not (kind is str or kind is int or kind is bool or item is None or _plain(item)):
                return False
        return True
    if kind is list:
        for item in value:
            kind = type(item)
            if not (kind is str or kind is int or kind is bool or item is None or _plain(item)):
                return False
        return True
    return (kind is str or kind is int or kind is bool or kind is float or value is None
            or kind is dt.date or kind is dt.datetime)


def _tagged(value: Any) -> Any:
    """`value` with everything JSON would change or lose tagged."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is dict:
        if all(type(key) is str and key[:1] != "$" for key in value):
            return {key: _tagged(item) for key, item in value.items()}
        return {"$m": [[_tagged(key), _tagged(item)] for key, item in value.items()]}
    if kind is list:
        return [_tagged(item) for item in value]
    if kind is dt.datetime:
        # YAML's times are naive or at a fixed offset; a time zone's rules would not survive.
        if value.fold or not (value.tzinfo is None or type(value.tzinfo) is dt.timezone):
            raise TypeError("datetime")
        return {"$dt": value.isoformat()}
    if kind is dt.date:
        return {"$d": value.isoformat()}
    if kind is bytes:
        return {"$b": base64.b64encode(value).decode()}
    if kind is set:
        return {"$s": [_tagged(item) for item in value]}
    if kind is tuple:
        return {"$t": [_tagged(item) for item in value]}
    raw = getattr(value, "raw", None)
    if isinstance(value, float) and type(raw) is str:  # a RawFloat: it keeps its spelling
        return {"$f": [float(value), raw]}
    raise TypeError(kind.__name__)  # not something YAML makes: not stored


def _default(value: Any) -> Any:
    if type(value) in (dt.date, dt.datetime):
        return _tagged(value)
    raise TypeError(type(value).__name__)


def _raw_float(value: Any) -> float:
    from .yamlio import RawFloat  # loaded already by whatever reads parsed files

    number, raw = value
    if type(number) not in (int, float) or type(raw) is not str:
        raise TypeError("$f")
    return RawFloat(number, raw)


def _mapping(pairs: Any) -> dict[Any, Any]:
    if type(pairs) is not list or any(type(pair) is not list or len(pair) != 2
                                      for pair in pairs):
        raise TypeError("$m")
    return dict(pairs)


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("tag")
    return value


def _items(value: Any) -> list[Any]:
    if type(value) is not list:
        raise TypeError("tag")
    return value


_TAGS: dict[str, Callable[[Any], Any]] = {
    "$d": lambda v: dt.date.fromisoformat(_text(v)),
    "$dt": lambda v: dt.datetime.fromisoformat(_text(v)),
    "$b": lambda v: base64.b64decode(_text(v), validate=True),
    "$s": lambda v: set(_items(v)),
    "$t": lambda v: tuple(_items(v)),
    "$f": _raw_float,
    "$m": _mapping,
}


def _from_json(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((key, value),) = obj.items()
        if key[:1] == "$":
            return _TAGS[key](value)  # an unknown tag: a damaged row (KeyError)
    return obj


# One encoder and decoder for every file (json.dumps builds a new one per call).
_ENCODER = json.JSONEncoder(default=_default, separators=(",", ":"), check_circular=False)
_DECODER = json.JSONDecoder(object_hook=_from_json)
_PLAIN_DECODER = json.JSONDecoder()


def encode(value: Any) -> bytes | None:
    """`value` as JSON that `decode` reads back equal and of the same types; None for a
    value YAML does not make."""
    try:
        return _ENCODER.encode(value if _plain(value) else _tagged(value)).encode()
    except (TypeError, ValueError, RecursionError):
        return None


def decode(data: bytes) -> Any:
    """What `encode` wrote, or None when `data` is not that (a damaged row)."""
    try:
        text = data.decode()
        # No `"$` in the text: no tags, and the decoder need not look at every object.
        return (_DECODER if '"$' in text else _PLAIN_DECODER).decode(text)
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None


# --- the state of the inputs ----------------------------------------------------------------


def tree_state(root: Path, scan: FolderScan | None = None) -> str | None:
    """A digest of every file under `root` (path, size, modification and change times,
    inode), or None when a file was modified or changed too recently to tell a later change
    from this one. `scan` is a walk of `root` already made."""
    if scan is None:
        try:
            scan = FolderScan(root)
        except OSError:
            return None
    digest, newest = scan.state()
    if newest > time.time_ns() - FRESH_SECONDS * 1e9:
        return None
    return digest


def git_environment() -> str:
    """The GIT_ variables, which change what git answers (GIT_DIR, GIT_NO_REPLACE_OBJECTS,
    GIT_REPLACE_REF_BASE, the object directories, ...)."""
    return "\n".join(f"{name}={value}" for name, value in sorted(os.environ.items())
                     if name.startswith("GIT_"))


def unchanged(inputs: list[tuple[str, str, str]]) -> bool:
    """Whether every input a stored output recorded is still what it was."""
    for kind, name, found in inputs:
        if kind == "head":
            now = head_of(Path(name))
        elif kind == "replace":
            now = replace_refs(Path(name))
        else:
            now = files.observe(kind, name)
        if now != found:
            return False
    return True


def key_of(parts: Iterable[str]) -> str:
    return base64.b32encode(hashlib.sha256("\0".join(parts).encode()).digest()).decode()
