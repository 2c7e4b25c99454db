"""What a finding is about, for findings whose rule did not say: the declaration, the field and
the value where its Pointer points. The fingerprint (findings.Finding) hashes these.

A declaration that failed validation has no Decl; its identity is read from its raw document
(kind, metadata.name, metadata.version), so that an invalid declaration still has a subject.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from .decl import Decl
from .findings import Finding, Pointer, dotted
from .load import Loaded
from .locate import Locator
from .refs import KIND_TO_REF, NodeId, node_id
from .yamlio import load_documents

# Fields whose value is not what a finding is about: the version (a fingerprint never holds
# it) and template text (a finding there is about a line of it, named by `text_hint`).
_NO_VALUE = frozenset({"metadata.version", "spec.template"})


class Documents:
    """The raw documents of files, parsed again only for findings that need them (a file
    holding a declaration that failed validation)."""

    def __init__(self, locator: Locator) -> None:
        self.locator = locator
        self._parsed: dict[str, list[Any]] = {}

    def document(self, path: str, doc: int) -> Any:
        parsed = self._parsed.get(path)
        if parsed is None:
            parsed = self._parsed[path] = load_documents(self.locator.text(path))[0]
        return parsed[doc] if 0 <= doc < len(parsed) else None

    def identity(self, path: str, doc: int) -> NodeId | None:
        return document_id(self.document(path, doc))


def document_key(data: Any) -> tuple[str, str, str | None] | None:
    """(kind, name, version) of a raw document, when its kind and name can be read."""
    if not isinstance(data, dict):
        return None
    kind, metadata = data.get("kind"), data.get("metadata")
    if not isinstance(kind, str) or kind not in KIND_TO_REF or not isinstance(metadata, dict):
        return None
    name, version = metadata.get("name"), metadata.get("version")
    if not isinstance(name, str) or not (version is None or isinstance(version, str)):
        return None
    return kind, name, version


def document_id(data: Any) -> NodeId | None:
    """The node a raw document declares, when its kind and name can be read."""
    key = document_key(data)
    return node_id(*key) if key is not None else None


def identify(findings: list[Finding], loaded: Loaded, locator: Locator) -> list[Finding]:
    """The findings, each with the subject, field and value its Pointer names (those whose
    rule gave a subject, and those at a bare file position, are kept as they are)."""
    if all(f.subject is not None or not isinstance(f.at, Pointer) for f in findings):
        return findings
    by_place: dict[tuple[str, int], Decl] = {(d.path, d.doc): d for d in loaded.decls}
    documents = Documents(locator)
    out: list[Finding] = []
    for item in findings:
        at = item.at
        if item.subject is not None or not isinstance(at, Pointer):
            out.append(item)
            continue
        decl = by_place.get((at.path, at.doc))
        root: Any = decl.model if decl is not None else documents.document(at.path, at.doc)
        subject = decl.id if decl is not None else document_id(root)
        field = item.field or dotted(at.keys)
        value = item.value if item.value is not None else _value(root, at, field)
        out.append(replace(item, subject=subject, field=field, value=value))
    return out


def _value(root: Any, at: Pointer, field: str | None) -> str | None:
    if at.text_hint is not None:
        return at.text_hint
    if at.text_line is not None or field in _NO_VALUE:
        return None
    node = root
    for key in at.keys:
        if isinstance(node, BaseModel) and isinstance(key, str):
            node = getattr(node, key, None)
        elif isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list | tuple) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, str | int | float | dt.date):
        return str(node)
    return None
