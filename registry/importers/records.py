"""The comments `aireg import` writes before each declaration it imports:

    # aireg import peft: adapters/ticket-classifier/adapter_config.json sha256:<64 hex>
    # aireg import fields: spec.baseModel=1a2b3c4d spec.method=5e6f7a8b

The first names the source (from the repository root) and its SHA-256 when imported; the
second a short digest of each field as the import wrote it, so that a later import can tell
a field edited by hand (kept) from one it still owns (updated).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SOURCE_LINE = re.compile(
    r"^# aireg import (?P<importer>[a-z-]+): (?P<source>.+) sha256:(?P<digest>[0-9a-f]{64})"
    r"[ \t]*\r?$", re.MULTILINE)
FIELDS_LINE = re.compile(r"^# aireg import fields:(?P<fields>[^\r\n]*)")
MARK = "# aireg import "
# Import writes its record at the top of a file; only files whose first bytes hold one are
# read for records (a check need not read every declaration file twice).
HEAD_BYTES = 4096


@dataclass
class Record:
    importer: str
    source: str
    digest: str
    path: str  # the declaration file, from the repository root
    doc: int
    line: int  # of the source comment
    fields: dict[str, str] = field(default_factory=dict)
    kind: str = ""
    name: str = ""
    decl_id: str = ""


def field_digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def header(importer: str, source: str, digest: str, fields: dict[str, str]) -> list[str]:
    listed = " ".join(f"{key}={value}" for key, value in fields.items())
    return [f"# aireg import {importer}: {source} sha256:{digest}",
            f"# aireg import fields: {listed}".rstrip()]


def in_text(text: str, path: str) -> list[Record]:
    """The records in one declaration file, each with the index of the document after it."""
    if MARK not in text:
        return []
    out: list[Record] = []
    doc, content = 0, False
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        stripped = line.rstrip("\r")
        if stripped.startswith("---") and stripped[3:4] in ("", " ", "\t"):
            if content:
                doc += 1
            content = False
            continue
        found = SOURCE_LINE.match(stripped)
        if found:
            record = Record(found["importer"], found["source"], found["digest"], path, doc,
                            number)
            following = lines[number] if number < len(lines) else ""
            listed = FIELDS_LINE.match(following)
            if listed:
                for item in listed["fields"].split():
                    key, _, value = item.partition("=")
                    record.fields[key] = value
            out.append(record)
            continue
        if stripped.strip() and not stripped.lstrip().startswith("#"):
            content = True
    return out


def of_registry(decls: Iterable[Any], locator: Any, marked: Iterable[str]) -> list[Record]:
    """Every record in the registry's declaration files, tied to the declaration after it
    (`decls`: the loaded Decls; `locator`: the registry's Locator; `marked`: the files whose
    first HEAD_BYTES hold a record, as the load found them, registry.load.Loaded)."""
    by_place = {(d.path, d.doc): d for d in decls}
    out = []
    for path in sorted(set(marked)):
        for record in in_text(locator.text(path), path):
            decl = by_place.get((path, record.doc))
            if decl is None:
                continue
            record.kind, record.name, record.decl_id = decl.kind, decl.name, decl.id
            out.append(record)
    return out
