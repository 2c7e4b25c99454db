"""What a registry's resolved form depends on, as text to key a snapshot by.

Three parts: the program (aireg's version and its own files, Python, every installed
distribution, the GIT_ variables), and the files, either of the working tree or of a revision.
The working tree's state comes from git: the tree id of the registry's folder at HEAD, and each
path `git status` reports (changed, staged, untracked or ignored) with what it holds now. Git
answers from its index, comparing size, modification and change times, inode and device, and
reading again whatever is racily clean, so a file edited and given its old modification time
back (`touch -r`) is still reported (its change time moved). Outside git nothing is stored.
Git is asked through gitrepo.py (`tree_id`, `start_status`, `replace_refs`); the index is
read here. This module imports nothing heavy: it runs before every snapshot is read.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import sys
import time
from pathlib import Path

from . import __version__
from .blobs import blob_id

# A file this recent may change again within the clock's resolution: ignored files (which
# git does not track) are then keyed on their content rather than their times.
FRESH_NS = 2_000_000_000


def program() -> str:
    """aireg's version and its own files (size and modification time of each: an upgrade,
    a reinstall or an edit of aireg itself changes it), Python, every installed
    distribution (by its metadata folder's name, which holds its version) and the GIT_
    variables."""
    stamps = [__version__, sys.version, sys.executable]
    package = Path(__file__).parent
    for folder in (package, package.parent / "cli"):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                info = os.stat(os.path.join(dirpath, name))  # noqa: PTH116, PTH118
                stamps.append(f"{dirpath}/{name}:{info.st_size}:{info.st_mtime_ns}")
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))  # noqa: PTH208 - names only
        except OSError:
            continue
        stamps.append(entry)
        stamps += [n for n in names if n.endswith((".dist-info", ".egg-info", ".pth"))]
    stamps += [f"{name}={value}" for name, value in sorted(os.environ.items())
               if name.startswith("GIT_")]
    return "\n".join(stamps)


def revision(toplevel: Path, commit: str, prefix: str) -> str | None:
    """The state of a revision's registry: its folder's tree id and the replace refs."""
    from .gitrepo import replace_refs, tree_id

    tree = tree_id(toplevel, commit, prefix)
    replaced = replace_refs(toplevel)
    if tree is None or replaced is None:
        return None
    return f"tree {tree}\nreplaced {replaced}"


def worktree(toplevel: Path, prefix: str) -> str | None:
    """The state of the working tree's registry folder: the tree at HEAD (the same text as
    `revision` gives HEAD while nothing differs from it) and every path git reports there,
    with its content's digest (its stat data, for an ignored file that is not recent);
    None when git cannot tell."""
    from .gitrepo import start_status

    # git's walk runs while this process reads the index (two cores, half the time)
    status = start_status(toplevel, prefix)
    if status is None:
        return None
    suspects = _suspects(toplevel, prefix)
    listing = status()
    head = revision(toplevel, "HEAD", prefix)
    if head is None or listing is None or suspects is None:
        return None
    reported = {}
    for record in listing.split(b"\0"):
        if len(record) >= 4:
            reported[os.fsdecode(record[3:])] = record[:2].decode()
    for path, blob in suspects.items():
        if path not in reported and _blob_id(os.path.join(toplevel, path)) != blob:  # noqa: PTH118
            reported[path] = " M"
    lines = [head]
    now = time.time_ns()
    top = os.path.join(toplevel, "")  # noqa: PTH118 - a string per path, not a Path
    for path, code in sorted(reported.items()):
        lines.append(f"{code} {path} {_content(top + path, code == '!!', now)}")
    return "\n".join(lines)


def _suspects(toplevel: Path, prefix: str) -> dict[str, str] | None:
    """The tracked files whose stat data is not what git's index holds, to the nanosecond,
    each with the blob id the index has (in hex): git compares times to the second only, so an edit
    in the second the index last saw a file, with its size and modification time put back
    (`touch -r`), passes git status. None when the index cannot be read (a format this
    does not know)."""
    from .gitrepo import git_dir

    folder = git_dir(toplevel)
    if folder is None:
        return None
    try:
        data = (folder / "index").read_bytes()
    except FileNotFoundError:
        return {}  # no index yet: git status lists every file
    except OSError:
        return None
    entries = _index_entries(data)
    if entries is None:
        return None
    found = {}
    wanted = os.fsencode(prefix)
    top = os.open(toplevel, os.O_RDONLY)
    try:
        for path, ctime, mtime, ino, size, blob in entries:
            if not path.startswith(wanted):
                continue
            try:
                info = os.stat(path, dir_fd=top, follow_symlinks=False)
            except OSError:
                continue  # gone: git status lists it
            if info.st_ctime_ns != ctime or info.st_mtime_ns != mtime or \
                    info.st_ino & 0xFFFFFFFF != ino or info.st_size & 0xFFFFFFFF != size:
                found[os.fsdecode(path)] = blob.hex()
    finally:
        os.close(top)
    return found


def _blob_id(path: str) -> str | None:
    """The blob id of what git would store for the file at `path`, or None if unreadable."""
    try:
        if os.path.islink(path):  # noqa: PTH114 - git keeps the link's text
            content = os.fsencode(os.readlink(path))  # noqa: PTH115
        else:
            with open(path, "rb") as stream:  # noqa: PTH123
                content = stream.read()
    except OSError:
        return None
    return blob_id(content)


_ENTRY = struct.Struct(">IIIIIIIIII20sH")


def _index_entries(data: bytes) -> list[tuple[bytes, int, int, int, int, bytes]] | None:
    """Each entry of a git index (versions 2 to 4): path, change and modification times
    (ns), inode and size (as git keeps them, in 32 bits) and blob id. None for anything
    else (a split index keeps its entries elsewhere)."""
    if len(data) < 12 or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack_from(">II", data, 4)
    if version not in (2, 3, 4):
        return None
    at, previous, entries = 12, b"", []
    try:
        for _ in range(count):
            (cs, cn, ms, mn, _dev, ino, mode, _uid, _gid, size, blob,
             flags) = _ENTRY.unpack_from(data, at)
            start, at = at, at + _ENTRY.size
            if version >= 3 and flags & 0x4000:
                at += 2
            if version == 4:
                strip, shift = 0, 0
                while True:  # git's offset varint
                    byte = data[at]
                    at += 1
                    strip = (strip << 7) | (byte & 0x7F) if shift == 0 else \
                        ((strip + 1) << 7) | (byte & 0x7F)
                    shift += 1
                    if not byte & 0x80:
                        break
                end = data.index(b"\0", at)
                path = previous[:len(previous) - strip] + data[at:end]
                at = end + 1
            else:
                end = data.index(b"\0", at)
                path = data[at:end]
                at = start + ((end - start) // 8 + 1) * 8
            previous = path
            if mode >> 12 in (0o10, 0o12):  # a file or a link (not a sparse folder)
                entries.append((path, cs * 1_000_000_000 + cn, ms * 1_000_000_000 + mn, ino,
                                size, blob))
        if data.find(b"link", at, at + 4) == at:  # split index: entries elsewhere
            return None
    except (struct.error, ValueError, IndexError):
        return None
    return entries


def _content(path: str, ignored: bool, now: int) -> str:
    """What a reported path holds: a digest of its bytes (through links, as the loader
    reads it), or for an ignored file its size, times and inode unless it is recent."""
    try:
        info = os.stat(path)  # noqa: PTH116
    except OSError:
        return "absent"
    if not stat.S_ISREG(info.st_mode):
        return f"other {info.st_mode} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"
    if ignored and max(info.st_mtime_ns, info.st_ctime_ns) < now - FRESH_NS:
        return f"stat {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"
    try:
        with open(path, "rb") as stream:  # noqa: PTH123
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError as error:
        return f"unreadable {error.errno}"
