"""`impact REF...` and `deps REF`, answered from the registry's snapshot when one is stored
for its current state, else from a full load (which leaves one behind). Either way the
answer is a view of registry.answers, so a hit and a miss render the same bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.answers import DepsView, ImpactView

    from .options import Options


def impact(options: Options, refs: tuple[str, ...]) -> ImpactView:
    from registry import answers, store

    snap = options.snapshot()
    targets: list[int] | None = None
    if snap is not None:
        found = [answers.lookup(snap, ref) for ref in refs]
        if all(nodes is not None for nodes in found):
            targets = list(dict.fromkeys(n for nodes in found if nodes for n in nodes))
    if snap is None or targets is None:
        loaded = options.project()
        snap = store.built(loaded)
        targets = list(dict.fromkeys(snap.index[d.id] for ref in refs
                                     for d in loaded.catalog.lookup(ref)))
    return answers.impact(snap, targets)


def deps(options: Options, ref: str, depth: int | None) -> DepsView:
    from registry import answers, store

    snap = options.snapshot()
    root = answers.resolved(snap, ref) if snap is not None else None
    if snap is None or root is None:
        from registry import views  # the models: only for a miss

        loaded = options.project()
        snap = store.built(loaded)
        root = snap.index[views.highest(loaded.catalog, ref).id]
    return answers.deps(snap, root, depth)
