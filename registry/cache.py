"""The cache: one SQLite file inside the git directory (`.git/aireg/cache.sqlite3`).

Two tables, both safe to lose:

- `parsed`: what a declaration file parses to, keyed by its git blob id (content-addressed,
  so it holds across branches and revisions). A warm load parses only files it has not seen.
- `results`: a command's whole output, keyed by a digest of everything it read — aireg's
  own files, the command line, the day, and the state of every file of the registry (size,
  modification and change times and inode in the working tree, each link to a folder's
  own; commit ids for revisions). Running a command again on unchanged input prints the
  same bytes without loading anything.

Nothing here is trusted: values are JSON, read back through the same validation as a fresh
parse; a file that is corrupt, from another format version, or not a cache at all is
deleted and rebuilt. This module imports nothing heavy: a hit must stay cheap.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .files import FolderScan

FORMAT = 2
KEEP_RESULTS = 32  # the most recently used outputs kept
# When an output was last used is recorded to the hour: a write on every hit would cost a
# warm command more than its lookup.
USED_RESOLUTION = 3600.0
MAX_RESULT_BYTES = 64 * 1024 * 1024  # a larger output is recomputed rather than stored
# A file modified this recently may change again within the clock's resolution without
# its size or time changing ("racily clean", as git calls it): no result is cached then.
FRESH_SECONDS = 2.0


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
        folder = git_dir(toplevel)
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
                        "CREATE TABLE IF NOT EXISTS parsed (blob TEXT PRIMARY KEY, data TEXT);"
                        "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, code INTEGER,"
                        " out BLOB, err BLOB, used REAL);")
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

    def result(self, key: str) -> tuple[int, bytes, bytes] | None:
        try:
            row = self.db.execute("SELECT code, out, err, used FROM results WHERE key=?",
                                  (key,)).fetchone()
            if row is None:
                return None
            now = time.time()
            if not isinstance(row[3], float) or row[3] < now - USED_RESOLUTION:
                self.db.execute("UPDATE results SET used=? WHERE key=?", (now, key))
        except sqlite3.Error:
            return None
        code, out, err, _ = row
        if not isinstance(code, int) or not isinstance(out, bytes) or not isinstance(err, bytes):
            return None
        return code, out, err

    def store_result(self, key: str, code: int, out: bytes, err: bytes) -> None:
        if len(out) + len(err) > MAX_RESULT_BYTES:
            return
        try:
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                            (key, code, out, err, time.time()))
            self.db.execute("DELETE FROM results WHERE key NOT IN (SELECT key FROM results "
                            "ORDER BY used DESC LIMIT ?)", (KEEP_RESULTS,))
        except sqlite3.Error:
            pass

    # --- parsed files ---------------------------------------------------------------------

    def parsed(self, blobs: Iterable[str]) -> dict[str, Any]:
        wanted = list(blobs)
        found: dict[str, Any] = {}
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for blob, data in self.db.execute(
                        f"SELECT blob, data FROM parsed WHERE blob IN ({marks})", chunk):
                    value = decode(data)
                    if value is not None:
                        found[blob] = value
        except sqlite3.Error:
            return {}
        return found

    def store_parsed(self, items: dict[str, Any], background: bool = False) -> None:
        """Keep parsed files. With `background`, a forked process encodes and writes them
        while this one goes on (a large registry's cold load then does not wait for its
        cache); `wait_for_writers` collects it."""
        if background and self._write_in_background(items):
            return
        # In key order: the table's B-tree is then appended to rather than split all over.
        rows = sorted((blob, text) for blob, value in items.items()
                      if (text := encode(value)) is not None)
        try:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?)", rows)
            self.db.execute("COMMIT")
        except sqlite3.Error:
            pass

    def _write_in_background(self, items: dict[str, Any]) -> bool:
        """Whether a forked writer took the items (False: no process could be made)."""
        if not hasattr(os, "fork"):
            return False
        wait_for_writers()  # one writer at a time: a second would wait for the lock
        _held.clear()
        try:
            pid = os.fork()
        except OSError:  # a full process table, or memory not promised twice
            return False
        if pid == 0:
            code = 0
            try:
                # Its own connection: one opened before a fork must not be used after it.
                Cache(self.path, timeout=60.0).store_parsed(items)
            except BaseException:
                code = 1
            os._exit(code)
        _writers.append(pid)
        # Kept (until the next write): freeing them now would write to pages the writer
        # still shares, each write a copy of the page, and a command that ends soon after
        # need not free them at all.
        _held.append(items)
        return True


_writers: list[int] = []  # background writers not yet collected
_held: list[Any] = []  # what they write


def wait_for_writers() -> None:
    """Wait until every background write of this process has finished."""
    while _writers:
        pid = _writers.pop()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


# --- JSON for parsed YAML values ------------------------------------------------------------
# Only files that loaded without a finding are stored, so every mapping key is a string and no
# float's spelling matters; dates and times travel as one-key objects.


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    raise TypeError(type(value).__name__)


def _from_json(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "$d" in obj:
            return dt.date.fromisoformat(obj["$d"])
        if "$dt" in obj:
            return dt.datetime.fromisoformat(obj["$dt"])
    return obj


# One encoder and decoder for every file (json.dumps builds a new one per call).
_ENCODER = json.JSONEncoder(default=_default, separators=(",", ":"), check_circular=False)
_DECODER = json.JSONDecoder(object_hook=_from_json)


def encode(value: Any) -> str | None:
    try:
        return _ENCODER.encode(value)
    except (TypeError, ValueError, RecursionError):
        return None


def decode(text: str) -> Any:
    try:
        return _DECODER.decode(text)
    except (ValueError, TypeError):
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


def commit_of(toplevel: Path, rev: str) -> str | None:
    """The commit a revision names now (branches move), or None if git does not know it."""
    try:
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                              cwd=toplevel, capture_output=True, text=True, check=False)
    except OSError:
        return None
    sha = done.stdout.strip()
    return sha if done.returncode == 0 and sha else None


def key_of(parts: Iterable[str]) -> str:
    return base64.b32encode(hashlib.sha256("\0".join(parts).encode()).digest()).decode()
