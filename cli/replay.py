"""Replay of stored outputs: a command whose inputs have not changed since it last ran prints
what it printed then, without loading anything.

A command opts in with `@stored(...)`, declaring what it reads besides the registry at
`--rev` (or the working tree): the options that name other revisions, and the option, if
any, that names the revision read in place of the working tree. The output key is made of
those and of everything else an output depends on (see `output_key`); what a command reads
outside the key is noted by registry.files as it is read and checked again before a replay.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from registry import __version__
from registry.findings import ExitCode

from .options import Options

if TYPE_CHECKING:
    from registry.cache import Cache

Command = Callable[..., int | None]


@dataclass(frozen=True)
class Reads:
    """The revisions a command reads: `revisions` names the options that give one (each
    read from git's object store); `head` names the option that gives the revision read
    instead of the working tree (with neither it nor --rev, the working tree is read)."""

    revisions: tuple[str, ...] = ()
    head: str | None = None


@dataclass(frozen=True)
class Key:
    """Where a command's output is stored, and the reads (as registry.files notes them)
    the key already covers."""

    cache: Cache
    digest: str
    keyed: dict[tuple[str, str], str]


def stored(revisions: tuple[str, ...] = (), head: str | None = None
           ) -> Callable[[Command], Command]:
    """Serve the command's output from the result cache when nothing it reads has changed,
    and store it otherwise. Only for a command that reads nothing but the registry, the
    revisions it declares here, and files registry.files notes as they are read."""
    reads = Reads(revisions, head)

    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> int | None:
            ctx = click.get_current_context()
            options = ctx.find_object(Options)
            key = output_key(ctx, options, reads) if options is not None else None
            if options is None or key is None:
                return command(*args, **kwargs)
            return _run_stored(options, key, command, args, kwargs)

        run.reads = reads  # type: ignore[attr-defined]  # for declared_reads
        return run

    return decorate


def declared_reads(command: click.Command) -> Reads | None:
    """What a command declares it reads, if it stores its output (through any decorators
    that wrap its function)."""
    function: Any = command.callback
    while function is not None:
        if isinstance(getattr(function, "reads", None), Reads):
            return function.reads  # type: ignore[no-any-return]
        function = getattr(function, "__wrapped__", None)
    return None


def _run_stored(options: Options, key: Key, command: Command, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> int | None:
    from registry import cache as caching
    from registry import files

    hit = key.cache.result(key.digest)
    if hit is not None and caching.unchanged(hit.inputs):
        code = replay(hit.code, hit.out, hit.err)
        if code is not None:
            return code  # else a damaged row: the command runs
    # What the key does not cover is noted as it is read; what it covers, as it was.
    files.recorded = dict(key.keyed)
    done = False
    try:
        with options.out.recording() as recorded:
            code = command(*args, **kwargs)
        done = True
    finally:
        reads, files.recorded = files.recorded or {}, None
    reads = {read: found for read, found in reads.items() if key.keyed.get(read) != found}
    if done and (code or ExitCode.OK) in (ExitCode.OK, ExitCode.FINDINGS) \
            and files.UNKEYED not in reads.values():
        # One line of JSON naming the files written, then standard output as is.
        header = json.dumps({"files": recorded.files}).encode()
        caching.store_when_free(key.cache, key.digest, int(code or ExitCode.OK),
                                header + b"\n" + "".join(recorded.out).encode(),
                                "".join(recorded.err).encode(),
                                sorted((kind, name, value) for (kind, name), value
                                       in reads.items()), detached=options.console)
    return code


def replay(code: int, out: bytes, err: bytes) -> int | None:
    """Write a stored output and return its exit code; return None, having written
    nothing, when it is not one (a damaged row)."""
    header, _, stdout = out.partition(b"\n")
    try:
        written = json.loads(header)["files"]
    except (ValueError, TypeError, KeyError):
        return None
    if type(written) is not dict or not all(type(v) is str for v in written.values()):
        return None
    for path, text in written.items():
        from registry.edit import write_atomic

        write_atomic(Path(path), text)
    # Stored as UTF-8: written as they are to a UTF-8 stream (no decoding and encoding a
    # large output again), else as text.
    for data, to_err in ((stdout, False), (err, True)):
        stream = sys.stderr if to_err else sys.stdout
        utf8 = (getattr(stream, "encoding", None) or "").lower().replace("-", "") == "utf8"
        click.echo(data if utf8 else data.decode(), err=to_err, nl=False)
    return code


def output_key(ctx: click.Context, options: Options, reads: Reads) -> Key | None:
    """The key of this command's output: aireg's own files, the versions of Python and of
    every installed distribution, the command line, the registry's root, the day, the
    `GIT_` variables, the commit of each revision read with git's replace refs, and the
    state of the working tree when it is read. None when the output cannot be stored (no
    git, --no-cache, a file changed a moment ago, a revision git does not know)."""
    if options.no_cache:
        return None
    from registry import cache as caching
    from registry import gitrepo
    from registry.files import find_root

    start = options.directory.resolve()
    found = find_root(start)
    if found is None:
        return None
    root, toplevel = found
    store = caching.Cache.open(toplevel)
    if store is None or toplevel is None:
        return None
    parts = [__version__, code_state(), installed(), ctx.info_name or "",
             json.dumps(ctx.params, sort_keys=True, default=str), str(root),
             (options.today or dt.date.today()).isoformat(), options.now or "",
             caching.git_environment()]
    head = ctx.params.get(reads.head) if reads.head is not None else None
    revisions = [options.rev, *(ctx.params.get(name) for name in reads.revisions)]
    for rev in revisions:
        if rev is not None:
            commit = gitrepo.commit_of(toplevel, rev)
            if commit is None:
                return None
            parts.append(commit)
    keyed: dict[tuple[str, str], str] = {}
    if any(rev is not None for rev in revisions):
        # --rev looks for the registry upwards from where aireg runs, in that revision.
        parts.append(str(start))
        # What a commit's objects read as, once `git replace` has had its say.
        replaced = gitrepo.replace_refs(toplevel)
        if replaced is None:
            return None
        parts.append(replaced)
        keyed[("replace", str(toplevel))] = replaced
    if head is None and options.rev is None:
        # The working tree is read: its state (from git's index) is part of the key, and
        # the key of its snapshot should the output miss (registry.store).
        from registry.store import locate

        place = locate(options.directory, None)
        if place is None:
            return None
        options.place = place
        parts.append(place.key)
    return Key(store, caching.key_of(parts), keyed)


def code_state() -> str:
    """aireg's own files, each named with its size and modification time: an upgrade, a
    reinstall or an edit of aireg itself (its bundled retirement data too) makes every
    stored output stale. Cheaper than asking the package metadata for the version."""
    import registry

    stamps = []
    for folder in (Path(registry.__file__).parent, Path(__file__).parent):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                info = Path(dirpath, name).stat()
                stamps.append(f"{dirpath}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(stamps)


def installed() -> str:
    """Python's version and every distribution installed where this Python imports from,
    each by its metadata folder (`name-version.dist-info`) and that folder's time: an
    upgrade or reinstall of any library aireg uses makes stored outputs stale.

    One listing of each import folder (about a millisecond), where importlib.metadata
    would cost some 50 ms a run to import and ask for aireg's requirements; a library
    aireg does not use that changes makes the outputs stale once, which is safe.
    """
    stamps = [sys.version, sys.executable]
    for folder in sys.path:
        try:
            with os.scandir(folder or ".") as entries:
                stamps.extend(sorted(
                    f"{folder}/{entry.name}:{entry.stat().st_mtime_ns}" for entry in entries
                    if entry.name.endswith((".dist-info", ".egg-info"))))
        except OSError:  # a zip file or a folder that is not there
            continue
    return "\n".join(stamps)
