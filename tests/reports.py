"""Small factories of declarations and report objects, for the renderer tests: each builds
the object a command hands its renderer, without a registry on disk."""

from __future__ import annotations

from typing import Any

from registry.decl import Decl
from registry.graph import Hop
from registry.kinds import KINDS
from registry.refs import NodeId


def decl(kind: str, name: str, version: str | None = "1.0.0", owner: str | None = "team/core",
         spec: dict[str, Any] | None = None, path: str | None = None, doc: int = 0,
         **metadata: Any) -> Decl:
    """A validated declaration of `kind`, written in `path` (by default kinds/name.yaml)."""
    meta: dict[str, Any] = {"name": name, **metadata}
    if version is not None:
        meta["version"] = version
    if owner is not None:
        meta["owner"] = owner
    model = KINDS[kind].model_validate(
        {"apiVersion": "aireg/v1", "kind": kind, "metadata": meta, "spec": spec or {}})
    return Decl(model, path or f"{kind.lower()}s/{name}.yaml", doc)


def prompt(name: str, version: str = "1.0.0", **metadata: Any) -> Decl:
    return decl("Prompt", name, version, spec={"template": "Hello"}, **metadata)


def hop(source: str, target: str, label: str) -> Hop:
    return Hop(NodeId(source), NodeId(target), label)
