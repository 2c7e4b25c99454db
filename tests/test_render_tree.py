"""registry.render.tree on views built by hand: `deps` and `impact` as shortest-path trees,
in text (full paths only for the lines printed) and JSON (each node's next hop)."""

from __future__ import annotations

import json

from conftest import validate_output
from reports import decl, hop, prompt

from registry.answers import DepsView, Entry
from registry.graph import Hop
from registry.render import tree

BASE = prompt("base")
STYLE = prompt("style", "2.0.0")
BOT = decl("Feature", "bot", None, spec={"tier": "high"})


def _deps(uses: dict[str, tuple[Hop, ...]], depth: int | None) -> DepsView:
    return DepsView(BOT.id, (), lambda node: [(h.target, h.label) for h in uses[node]], depth)


def test_deps_prints_a_node_reached_twice_once_and_stops_at_the_depth() -> None:
    uses = {BASE.id: (), STYLE.id: (hop(STYLE.id, BASE.id, "includes"),),
            BOT.id: (hop(BOT.id, STYLE.id, "prompt"), hop(BOT.id, BASE.id, "prompt"))}
    assert tree.deps_text(_deps(uses, None)) == (
        "feature/bot\n"
        "├── prompt prompt/style@2.0.0\n"
        "│   └── includes prompt/base@1.0.0\n"
        "└── prompt prompt/base@1.0.0\n")
    assert tree.deps_text(_deps(uses, 1)) == (
        "feature/bot\n"
        "├── prompt prompt/style@2.0.0\n"
        "└── prompt prompt/base@1.0.0\n")


def test_deps_marks_a_repeated_node_with_dependencies_of_its_own_as_above() -> None:
    other = prompt("other")
    uses = {BASE.id: (), STYLE.id: (hop(STYLE.id, BASE.id, "includes"),),
            other.id: (hop(other.id, STYLE.id, "includes"),),
            BOT.id: (hop(BOT.id, other.id, "prompt"), hop(BOT.id, STYLE.id, "prompt"))}
    assert tree.deps_text(_deps(uses, None)).splitlines()[-1] == (
        "└── prompt prompt/style@2.0.0 (above)")


def test_deps_json_names_each_dependency_with_its_next_hop() -> None:
    view = DepsView(BOT.id, (Entry(BASE.id, "Prompt", "team/core", 1, BOT.id, "prompt"),),
                    lambda node: [], None)
    document = json.loads(tree.deps_json(view))
    validate_output("deps", document)
    assert document == {"version": 2, "root": "feature/bot", "dependencies": [{
        "id": "prompt/base@1.0.0", "kind": "Prompt", "owner": "team/core", "distance": 1,
        "next": "feature/bot", "label": "prompt"}]}
