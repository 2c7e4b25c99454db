"""A snapshot of the resolved registry, keyed by the registry's state (registry.state).

What `impact REF` and `deps REF` need, and each day's check findings: the node ids (sorted,
so a node's index orders as its id), each node's kind, owner and feature tier, the file
and document it is declared in, the forward and reverse adjacency with edge labels (as arrays),
each artifact's declared versions, the contacts of each owner, and what `aireg scan` matches
code against (registry.coverage.Declared). It is written after a full
load, in `.git/aireg/snapshots/`, and read on a later question about the same state
without loading anything else: no model, no YAML, no version ranges.

Nothing read is trusted: a file starts with a magic line and holds the key it was written
for and a SHA-256 of all the rest; one that is damaged, half-written, foreign or of another
format is ignored (and replaced by the next full load). Files are written whole under a
temporary name and renamed into place.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import hashlib
import json
import os
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .project import Project

MAGIC = b"aireg-snapshot 1\n"
KEEP = 16  # snapshots kept per repository, the most recently written
NONE = 0xFFFFFFFF  # no owner
_U32 = "I" if array.array("I").itemsize == 4 else "L"
# The arrays, in the order they are stored after the JSON part.
_ARRAYS = ("kind", "owner", "tier", "path", "doc", "pred_at", "pred", "pred_label",
           "succ_at", "succ", "succ_label")


@dataclass
class Snapshot:
    """The resolved registry, in arrays indexed by node (nodes sorted by id)."""

    key: str
    meta: dict[str, Any]  # the small tables: kinds, owners, tiers, labels, contacts, ...
    ids: list[str]
    arrays: dict[str, array.array[int]]
    # Read only when asked for: the file paths ("\0"-joined) and each day's check (JSON).
    raw_paths: bytes = b""
    raw_findings: bytes = b"{}"
    _index: dict[str, int] | None = field(default=None, repr=False)
    _paths: list[str] | None = field(default=None, repr=False)
    _findings: dict[str, Any] | None = field(default=None, repr=False)

    # --- reading ----------------------------------------------------------------------

    @property
    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {node: i for i, node in enumerate(self.ids)}
        return self._index

    def kind(self, i: int) -> str:
        return str(self.meta["kinds"][self.arrays["kind"][i]])

    def owner(self, i: int) -> str | None:
        at = self.arrays["owner"][i]
        return None if at == NONE else str(self.meta["owners"][at])

    def tier(self, i: int) -> str:
        return str(self.meta["tiers"][self.arrays["tier"][i]])

    def place(self, i: int) -> tuple[str, int]:
        """The file a node is declared in, and the index of its document there."""
        if self._paths is None:
            self._paths = self.raw_paths.decode("utf-8", "surrogateescape").split("\0")
        return self._paths[self.arrays["path"][i]], self.arrays["doc"][i]

    def users(self, i: int) -> list[tuple[int, str]]:
        """The nodes that use node i (sorted), each with the edge's label."""
        return self._adjacent(i, "pred")

    def uses(self, i: int) -> list[tuple[int, str]]:
        return self._adjacent(i, "succ")

    def _adjacent(self, i: int, side: str) -> list[tuple[int, str]]:
        at = self.arrays[f"{side}_at"]
        start, end = at[i], at[i + 1]
        labels = self.meta["labels"]
        return list(zip(self.arrays[side][start:end],
                        [labels[n] for n in self.arrays[f"{side}_label"][start:end]],
                        strict=True))

    def contacts(self, owner: str) -> tuple[str, ...]:
        return tuple(self.meta["contacts"].get(owner, ()))

    def artifact(self, ref_kind: str, name: str) -> tuple[list[int], int] | None:
        """The declared versions of an artifact (in id order) and the one a ref with no
        range resolves to; None when nothing of that name is declared."""
        base = f"{ref_kind}/{name}"
        ids = self.ids
        nodes = []
        at = bisect.bisect_left(ids, base)
        if at < len(ids) and ids[at] == base:
            nodes.append(at)
        at = bisect.bisect_left(ids, base + "@")
        while at < len(ids) and ids[at].startswith(base + "@"):
            nodes.append(at)
            at += 1
        if not nodes:
            return None
        default = self.meta["defaults"].get(base)
        return nodes, nodes[0] if default is None else int(default)

    def findings(self, today: str) -> dict[str, Any] | None:
        """`check`'s result on that day, as stored (registry.store), or None."""
        if self._findings is None:
            try:
                found = json.loads(self.raw_findings)
            except ValueError:
                found = None
            self._findings = found if isinstance(found, dict) else {}
        day = self._findings.get(today)
        return day if isinstance(day, dict) else None

    def add_findings(self, today: str, result: dict[str, Any]) -> None:
        self.findings(today)
        assert self._findings is not None
        self._findings[today] = result
        self.raw_findings = json.dumps(self._findings, separators=(",", ":")).encode()

    # --- writing ----------------------------------------------------------------------

    def encode(self) -> bytes:
        parts = [json.dumps(self.meta, separators=(",", ":")).encode(),
                 "\0".join(self.ids).encode("utf-8", "surrogateescape"), self.raw_paths,
                 self.raw_findings]
        parts += [self.arrays[name].tobytes() for name in _ARRAYS]
        body = struct.pack("<I", len(parts)) + b"".join(
            struct.pack("<Q", len(part)) + part for part in parts)
        head = json.dumps({"key": self.key, "order": sys.byteorder}).encode() + b"\n"
        digest = hashlib.sha256(head + body).digest()
        return MAGIC + digest + head + body


def decode(data: bytes, key: str) -> Snapshot | None:
    """The snapshot `data` holds when it is whole and was written for `key`; else None."""
    if not data.startswith(MAGIC):
        return None
    digest, rest = data[len(MAGIC):len(MAGIC) + 32], data[len(MAGIC) + 32:]
    if len(digest) != 32 or hashlib.sha256(rest).digest() != digest:
        return None
    head_end = rest.find(b"\n")
    try:
        head = json.loads(rest[:head_end])
        if head != {"key": key, "order": sys.byteorder}:
            return None
        parts = list(_parts(rest, head_end + 1))
        if len(parts) != 4 + len(_ARRAYS):
            return None
        meta = json.loads(parts[0])
        ids = parts[1].decode("utf-8", "surrogateescape").split("\0") if parts[1] else []
        arrays = {}
        for name, raw in zip(_ARRAYS, parts[4:], strict=True):
            arrays[name] = array.array(_U32)
            arrays[name].frombytes(raw)
    except (ValueError, struct.error, UnicodeDecodeError):
        return None
    snapshot = Snapshot(key, meta, ids, arrays, parts[2], parts[3])
    return snapshot if _consistent(snapshot) else None


def _parts(data: bytes, at: int) -> Iterator[bytes]:
    (count,) = struct.unpack_from("<I", data, at)
    at += 4
    for _ in range(count):
        (size,) = struct.unpack_from("<Q", data, at)
        at += 8
        if at + size > len(data):
            raise ValueError("short")
        yield data[at:at + size]
        at += size
    if at != len(data):
        raise ValueError("long")


def _consistent(snap: Snapshot) -> bool:
    """Whether the arrays fit each other and the names (a checksum proves the bytes are as
    written, not that this version wrote them sensibly)."""
    meta, arrays, count = snap.meta, snap.arrays, len(snap.ids)
    if not isinstance(meta, dict) or not all(
            isinstance(meta.get(k), list) for k in ("kinds", "owners", "tiers", "labels",
                                                    "reads", "templates")) or \
            not all(isinstance(meta.get(k), dict) for k in ("defaults", "contacts",
                                                             "refKinds", "members",
                                                             "commands", "scan")):
        return False
    if any(len(arrays[n]) != count for n in ("kind", "owner", "tier", "path", "doc")):
        return False
    for side in ("pred", "succ"):
        at = arrays[f"{side}_at"]
        if len(at) != count + 1 or (count and at[-1] != len(arrays[side])) or \
                len(arrays[f"{side}_label"]) != len(arrays[side]):
            return False
        if max(arrays[side], default=0) >= max(count, 1) or \
                max(arrays[f"{side}_label"], default=0) >= max(len(meta["labels"]), 1):
            return False
    owners = [n for n in arrays["owner"] if n != NONE]
    return (max(arrays["kind"], default=0) < max(len(meta["kinds"]), 1)
            and max(arrays["tier"], default=0) < max(len(meta["tiers"]), 1)
            and max(arrays["path"], default=0) < max(snap.raw_paths.count(b"\0") + 1, 1)
            and max(owners, default=0) < max(len(meta["owners"]), 1))


# --- building -------------------------------------------------------------------------------


def build(project: Project, key: str = "") -> Snapshot:
    """The snapshot of a loaded registry."""
    from .adoption import declared
    from .impact import contacts, tier_of
    from .refs import KIND_TO_REF, Ref

    catalog, graph = project.catalog, project.graph
    ids: list[str] = sorted(catalog.by_id)
    by_id = cast(dict[str, Any], catalog.by_id)  # NodeId is a str
    index = {node: i for i, node in enumerate(ids)}
    tables: dict[str, dict[str, int]] = {"kinds": {}, "owners": {}, "tiers": {}, "paths": {},
                                         "labels": {}}
    arrays = {name: array.array(_U32) for name in _ARRAYS}
    decls = [by_id[node] for node in ids]
    for name, values in (("kind", [d.kind for d in decls]), ("tier", map(tier_of, decls)),
                         ("path", [d.path for d in decls])):
        table = tables[f"{name}s"]
        arrays[name].extend(table.setdefault(v, len(table)) for v in values)
    owners = tables["owners"]
    arrays["owner"].extend(NONE if d.owner is None else owners.setdefault(d.owner, len(owners))
                           for d in decls)
    arrays["doc"].extend(d.doc for d in decls)
    labels = tables["labels"]
    for side, upwards in (("pred", True), ("succ", False)):
        adjacency = cast(dict[str, Any], graph.adjacency(upwards))
        at, nodes, named = arrays[f"{side}_at"], arrays[side], arrays[f"{side}_label"]
        at.append(0)
        for node in ids:
            hops = adjacency[node]
            nodes.extend(index[other] for other, _ in hops)
            named.extend(labels.setdefault(label, len(labels)) for _, label in hops)
            at.append(len(nodes))
    defaults = {}
    for (kind, name), found in catalog.by_key.items():
        if len(found) > 1:  # one declaration is its own default
            ref = f"{KIND_TO_REF[kind]}/{name}"
            chosen = catalog.resolve(Ref.parse(ref)) or found[-1]
            defaults[ref] = index[chosen.id]
    meta: dict[str, Any] = {name: list(table) for name, table in tables.items()
                            if name != "paths"}
    # Contacts of every owner a declaration names, and of every team and member: a
    # comparison tells the owners of what head removed through head's teams.
    everyone = {*owners, *(f"team/{team}" for team in catalog.teams),
             *(f"user/{user}" for user in catalog.memberships)}
    # The tool of an edge to one tool of an MCP server; each eval's command.
    members = {f"{e.source}\0{e.target}": e.member for e in graph.all_edges()
               if e.member is not None} if any(e.member is not None for e in catalog.edges) else {}
    commands = {d.id: command for d in decls if d.kind == "Eval"
                and (command := getattr(d.model.spec, "command", None))}
    meta.update(registry=project.name, defaults=defaults, reads=[],
                refKinds={ref: kind for kind, ref in KIND_TO_REF.items()},
                contacts={owner: listed for owner in sorted(everyone)
                          if (listed := list(contacts(catalog, owner)))},
                members=members, commands=commands,
                templates=sorted({d.template_path for d in decls if d.template_path}),
                scan=declared(project).plain())
    paths = "\0".join(tables["paths"]).encode("utf-8", "surrogateescape")
    return Snapshot(key, meta, ids, arrays, paths)


# --- the store ------------------------------------------------------------------------------


def folder(toplevel: Path) -> Path | None:
    from .gitrepo import git_dir

    found = git_dir(toplevel)
    return None if found is None else found / "aireg" / "snapshots"


def read(toplevel: Path, key: str) -> Snapshot | None:
    where = folder(toplevel)
    if where is None:
        return None
    try:
        data = (where / key).read_bytes()
    except OSError:
        return None
    return decode(data, key)


def write(toplevel: Path, snap: Snapshot) -> None:
    """Store a snapshot (whole, or not at all), and keep only the most recent ones."""
    where = folder(toplevel)
    if where is None or not snap.key:
        return
    data = snap.encode()
    with contextlib.suppress(OSError):
        where.mkdir(parents=True, exist_ok=True)
        temporary = where / f".{snap.key}.{os.getpid()}"
        temporary.write_bytes(data)
        temporary.replace(where / snap.key)
        kept = sorted(where.iterdir(), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
