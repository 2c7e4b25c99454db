"""`impact REF...` and `deps REF` (text and JSON), answered from the registry's snapshot when
one is stored for its current state, else from a full load (which leaves one behind)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.decl import Decl
    from registry.project import Project
    from registry.snapshot import Snapshot


def impact(snap: Snapshot | None, project: Callable[[], Project], refs: tuple[str, ...],
           fmt: str) -> str:
    from registry import answers, store
    from registry.render import tree

    targets: list[int] | None = None
    if snap is not None:
        found = [answers.lookup(snap, ref) for ref in refs]
        if all(nodes is not None for nodes in found):
            targets = list(dict.fromkeys(n for nodes in found if nodes for n in nodes))
    if snap is None or targets is None:
        loaded = project()
        snap = store.built(loaded)
        targets = list(dict.fromkeys(snap.index[d.id] for ref in refs
                                     for d in loaded.catalog.lookup(ref)))
    view = answers.impact(snap, targets)
    return tree.impact_json(view) if fmt == "json" else tree.impact_text(view)


def deps(snap: Snapshot | None, project: Callable[[], Project],
         one: Callable[[Project, str], Decl], ref: str, depth: int | None, fmt: str) -> str:
    from registry import answers, store
    from registry.render import tree

    root = answers.resolved(snap, ref) if snap is not None else None
    if snap is None or root is None:
        loaded = project()
        snap = store.built(loaded)
        root = snap.index[one(loaded, ref).id]
    view = answers.deps(snap, root, depth)
    return tree.deps_json(view) if fmt == "json" else tree.deps_text(view)
