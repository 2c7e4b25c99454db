"""`impact REF` and `deps REF` in text and JSON, from the shortest-path trees of
registry.answers. No pydantic here (a snapshot's answer loads no models); the JSON is the
shape of ImpactOut and DepsOut in render/json.py, whose schemas tests hold it to.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..answers import DepsView, Entry, ImpactView
from ..reach import path_text
from . import plural, visible

OUTPUT_VERSION = 2  # 2: a tree of `next` hops instead of a path per node


def impact_text(view: ImpactView) -> str:
    targets = ", ".join(view.targets)
    if not view.dependents:
        return f"Nothing depends on {targets}.\n"
    lines: list[str] = [f"Impact of {targets}: {plural(len(view.dependents), 'dependent')}, "
                        f"{plural(len(view.features), 'feature')}"
                        + (f" (highest tier: {view.highest_tier})" if view.highest_tier
                           else "") + "."]
    shown = _path_lines(view)
    if view.features:
        lines += ["", "Features affected:"]
        for hit in view.features:
            lines.append(f"  {hit.id}  tier {hit.tier}  owner {hit.owner or '-'}")
            lines.append(f"    {shown(hit.id)}")
    lines += ["", "Dependents (distance, one shortest path):"]
    for dep in view.dependents:
        lines.append(f"  {dep.distance}  {dep.id}")
        lines.append(f"     {shown(dep.id)}")
    if view.owners:
        lines += ["", "Owners to notify:"]
        for owner in view.owners:
            contact = (f" ({', '.join(visible(c) for c in owner.contacts)})"
                       if owner.contacts else "")
            lines.append(f"  {owner.owner}{contact}: {', '.join(owner.nodes)}")
    if view.evals:
        lines += ["", "Evals to run:"]
        lines.extend(f"  {node}" for node in view.evals)
    return "\n".join(lines) + "\n"


def _path_lines(view: ImpactView) -> Callable[[str], str]:
    """Each dependent's path in words. From one search, a path is the node's hop and then its
    `next` node's path, so each is written once from the one before (nearest first)."""
    if not view.chained:
        return lambda node: path_text(view.path(node))
    texts = {target: target for target in view.targets}
    for dep in view.dependents:
        texts[dep.id] = f"{dep.id} -{dep.label}-> {texts[dep.next or '']}"
    return texts.__getitem__


def deps_text(view: DepsView) -> str:
    """The dependency tree; a node already printed above is shown once, marked `(above)`."""
    lines: list[str] = [view.root]
    printed: set[str] = {view.root}
    depth = view.depth
    # A stack of (its children, the next child's index, indent, level) rather than
    # recursion: the tree is as deep as the registry's chains, which may be thousands deep.
    stack: list[tuple[list[tuple[str, str]], int, str, int]] = [
        (view.uses(view.root), 0, "", 1)]
    while stack:
        children, index, indent, level = stack.pop()
        if index == len(children):
            continue
        stack.append((children, index + 1, indent, level))
        child, label = children[index]
        last = index == len(children) - 1
        branch = "└── " if last else "├── "
        seen = child in printed
        below = view.uses(child)
        lines.append(f"{indent}{branch}{label} {child}" + (" (above)" if seen and below else ""))
        if seen:
            continue
        printed.add(child)
        if depth is None or level < depth:
            stack.append((below, 0, indent + ("    " if last else "│   "), level + 1))
    return "\n".join(lines) + "\n"


def entry(item: Entry) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "owner": item.owner, "distance": item.distance,
            "next": item.next, "label": item.label}


def impact_fields(view: ImpactView) -> dict[str, Any]:
    """The part of `impact` JSON that `impact --base` shares."""
    return {
        "highestTier": view.highest_tier,
        "dependents": [entry(d) for d in view.dependents],
        "features": [{"id": f.id, "tier": f.tier, "owner": f.owner, "next": f.next,
                      "label": f.label} for f in view.features],
        "owners": [{"owner": o.owner, "contacts": list(o.contacts), "affected": list(o.nodes)}
                   for o in view.owners],
        "evals": list(view.evals),
    }


def impact_json(view: ImpactView) -> str:
    return _dump({"version": OUTPUT_VERSION, "targets": list(view.targets),
                  **impact_fields(view)})


def deps_json(view: DepsView) -> str:
    return _dump({"version": OUTPUT_VERSION, "root": view.root,
                  "dependencies": [entry(d) for d in view.dependencies]})


def _dump(value: dict[str, Any]) -> str:
    # As pydantic's model_dump_json(indent=2) writes it: the same bytes as the other outputs.
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
