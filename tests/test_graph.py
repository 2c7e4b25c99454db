"""registry.graph.DepGraph on small registries: dependents and dependencies with distances and
one shortest path, depth limits, cycles, and one edge per pair of nodes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.graph import DepGraph, Reach
from registry.project import Project
from registry.refs import NodeId

MakeGraph = Callable[..., DepGraph]


def nodes(*ids: str) -> list[NodeId]:
    return [NodeId(i) for i in ids]


def decl(kind: str, name: str, version: str | None = "1.0.0", **spec: Any) -> str:
    """One declaration owned by team/platform, as a YAML (JSON) document."""
    metadata: dict[str, Any] = {"name": name, "owner": "team/platform"}
    if version is not None:
        metadata["version"] = version
    if kind == "Prompt":
        spec = {"template": "x", **spec}
    return json.dumps({"apiVersion": "aireg/v1", "kind": kind, "metadata": metadata,
                       "spec": spec})


def prompt(name: str, *includes: str) -> str:
    return decl("Prompt", name, includes=[f"prompt/{i}@^1" for i in includes])


def feature(name: str, *uses: str) -> str:
    return decl("Feature", name, None, uses=list(uses))


def dataset(name: str, *derived_from: str) -> str:
    return decl("Dataset", name, derivedFrom=[f"dataset/{d}@^1" for d in derived_from])


@pytest.fixture
def make_graph(make_registry: Callable[..., Path]) -> MakeGraph:
    """The dependency graph of a registry holding these declarations (one file each)."""

    def make(*docs: str) -> DepGraph:
        root = make_registry({f"decl-{i}.yaml": doc for i, doc in enumerate(docs)})
        project = Project.open(root)
        assert project.catalog.findings == []  # every ref resolves
        return project.graph

    return make


def reached(found: dict[Any, Reach]) -> dict[str, tuple[int, str]]:
    """node -> (distance, its path written as `a -label-> b -label-> c`)."""
    out = {}
    for node, reach in found.items():
        assert reach.node == node
        assert reach.distance == len(reach.path)
        text = reach.path[0].source + "".join(f" -{h.label}-> {h.target}" for h in reach.path)
        out[str(node)] = (reach.distance, text)
    return out


# --- dependents ---------------------------------------------------------------------------

# base <- mid <- top -> other; both -> base and other; f -> top; g -> mid
CHAIN = (
    prompt("base"), prompt("other"), prompt("mid", "base"), prompt("top", "mid", "other"),
    prompt("both", "base", "other"),
    feature("f", "prompt/top@^1"), feature("g", "prompt/mid@^1"),
)


def test_dependents_of_several_targets_at_once(make_graph: MakeGraph) -> None:
    graph = make_graph(*CHAIN)
    found = graph.dependents(nodes("prompt/base@1.0.0", "prompt/other@1.0.0"))
    assert reached(found) == {
        "prompt/mid@1.0.0": (1, "prompt/mid@1.0.0 -includes-> prompt/base@1.0.0"),
        # Two ways down (via mid, 2 hops; to other, 1 hop): the shortest is kept.
        "prompt/top@1.0.0": (1, "prompt/top@1.0.0 -includes-> prompt/other@1.0.0"),
        # Both targets at distance 1: one path, chosen the same way every run.
        "prompt/both@1.0.0": (1, "prompt/both@1.0.0 -includes-> prompt/base@1.0.0"),
        "feature/f": (2, "feature/f -uses-> prompt/top@1.0.0 -includes-> prompt/other@1.0.0"),
        "feature/g": (2, "feature/g -uses-> prompt/mid@1.0.0 -includes-> prompt/base@1.0.0"),
    }


def test_dependents_leave_out_the_targets(make_graph: MakeGraph) -> None:
    graph = make_graph(*CHAIN)
    found = reached(graph.dependents(nodes("prompt/base@1.0.0", "prompt/mid@1.0.0")))
    assert sorted(found) == ["feature/f", "feature/g", "prompt/both@1.0.0", "prompt/top@1.0.0"]
    assert found["feature/g"] == (1, "feature/g -uses-> prompt/mid@1.0.0")


def test_nothing_depends_on_a_root(make_graph: MakeGraph) -> None:
    assert make_graph(*CHAIN).dependents(nodes("feature/f")) == {}


# --- dependencies -------------------------------------------------------------------------


@pytest.mark.parametrize(("depth", "expected"), [
    (None, {
        "prompt/top@1.0.0": (1, "feature/f -uses-> prompt/top@1.0.0"),
        "prompt/mid@1.0.0": (2, "feature/f -uses-> prompt/top@1.0.0 -includes-> prompt/mid@1.0.0"),
        "prompt/other@1.0.0": (2, "feature/f -uses-> prompt/top@1.0.0 -includes-> "
                                  "prompt/other@1.0.0"),
        "prompt/base@1.0.0": (3, "feature/f -uses-> prompt/top@1.0.0 -includes-> "
                                 "prompt/mid@1.0.0 -includes-> prompt/base@1.0.0"),
    }),
    (1, {"prompt/top@1.0.0": (1, "feature/f -uses-> prompt/top@1.0.0")}),
])
def test_dependencies_with_depth(make_graph: MakeGraph, depth: int | None,
                                 expected: dict[str, tuple[int, str]]) -> None:
    assert reached(make_graph(*CHAIN).dependencies(nodes("feature/f"), depth)) == expected


def test_dependencies_depth_2_stops_two_edges_down(make_graph: MakeGraph) -> None:
    found = make_graph(*CHAIN).dependencies(nodes("feature/f"), 2)
    assert {node: reach.distance for node, reach in found.items()} == {
        "prompt/top@1.0.0": 1, "prompt/mid@1.0.0": 2, "prompt/other@1.0.0": 2}


def test_dependencies_of_several_starts(make_graph: MakeGraph) -> None:
    found = make_graph(*CHAIN).dependencies(nodes("feature/g", "prompt/top@1.0.0"))
    assert reached(found) == {
        "prompt/mid@1.0.0": (1, "feature/g -uses-> prompt/mid@1.0.0"),
        "prompt/other@1.0.0": (1, "prompt/top@1.0.0 -includes-> prompt/other@1.0.0"),
        "prompt/base@1.0.0": (2, "feature/g -uses-> prompt/mid@1.0.0 -includes-> "
                                 "prompt/base@1.0.0"),
    }


# --- cycles -------------------------------------------------------------------------------


def test_each_cycle_is_found_once_starting_at_its_smallest_node(make_graph: MakeGraph) -> None:
    graph = make_graph(
        # c -> a -> b -> c, declared starting from c
        prompt("c", "a"), prompt("b", "c"), prompt("a", "b"),
        # y <-> x, and a self-loop
        dataset("y", "x"), dataset("x", "y"), dataset("s", "s"),
        # not a cycle: two paths to one node
        prompt("d", "e", "f"), prompt("e", "f"), prompt("f"),
    )
    assert graph.cycles() == [
        ["dataset/s@1.0.0"],
        ["dataset/x@1.0.0", "dataset/y@1.0.0"],
        ["prompt/a@1.0.0", "prompt/b@1.0.0", "prompt/c@1.0.0"],
    ]


def test_two_cycles_through_one_node_are_both_found(make_graph: MakeGraph) -> None:
    graph = make_graph(prompt("a", "b", "c"), prompt("b", "a"), prompt("c", "b"))
    assert graph.cycles() == [["prompt/a@1.0.0", "prompt/b@1.0.0"],
                              ["prompt/a@1.0.0", "prompt/c@1.0.0", "prompt/b@1.0.0"]]


def test_a_cycle_across_kinds_starts_at_its_smallest_node(make_graph: MakeGraph) -> None:
    graph = make_graph(decl("Feature", "z", None, uses=["eval/e@^1"]),
                       decl("Eval", "e", covers=["feature/z"]))
    assert graph.cycles() == [["eval/e@1.0.0", "feature/z"]]


def test_cycle_findings_print_each_cycle_once(aireg: Any,
                                              make_registry: Callable[..., Path]) -> None:
    root = make_registry({"p.yaml": "\n---\n".join([prompt("c", "a"), prompt("b", "c"),
                                                  prompt("a", "b")])})
    result = aireg("-C", str(root), "check", "--format", "json")
    cycles = [f["message"] for f in json.loads(result.out)["findings"] if f["rule"] == "cycle"]
    assert cycles == ["dependency cycle: prompt/a@1.0.0 -> prompt/b@1.0.0 -> prompt/c@1.0.0 -> "
                      "prompt/a@1.0.0; remove one of these refs"]


# --- edges --------------------------------------------------------------------------------

SERVER = decl("McpServer", "z", transport="stdio", command="z-mcp", trust="first-party",
              tools=[{"name": "search"}, {"name": "create"}])


def test_two_refs_to_one_target_make_one_edge(make_graph: MakeGraph) -> None:
    graph = make_graph(
        SERVER, prompt("p"),
        feature("f", "mcp/z@^1#search", "mcp/z@^1#create", "prompt/p@^1", "prompt/p@1.0.0"),
    )
    edges = [(e.source, e.target, e.label, e.member) for e in graph.all_edges()]
    assert edges == [("feature/f", "mcp/z@1.0.0", "uses", "search"),
                     ("feature/f", "prompt/p@1.0.0", "uses", None)]
    assert graph.uses(NodeId("feature/f")) == ["mcp/z@1.0.0", "prompt/p@1.0.0"]
    assert graph.users(NodeId("mcp/z@1.0.0")) == ["feature/f"]


def test_different_fields_to_one_target_keep_the_first_label(make_graph: MakeGraph) -> None:
    graph = make_graph(dataset("d"), decl("Eval", "e", covers=["dataset/d@^1"],
                                          datasets=["dataset/d@^1"]))
    assert graph.label(*nodes("eval/e@1.0.0", "dataset/d@1.0.0")) == "covers"
    assert len(graph.all_edges()) == 1


def test_subgraph_edges_keep_only_edges_inside(make_graph: MakeGraph) -> None:
    graph = make_graph(*CHAIN)
    inside = graph.subgraph_edges(nodes("prompt/top@1.0.0", "prompt/mid@1.0.0", "feature/g"))
    assert [(e.source, e.target) for e in inside] == [("feature/g", "prompt/mid@1.0.0"),
                                                      ("prompt/top@1.0.0", "prompt/mid@1.0.0")]


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
@settings(max_examples=200, deadline=None)
def test_knots_are_the_strongly_connected_components_with_a_cycle(
        edges: list[tuple[int, int]]) -> None:
    """The graph's own peeling and Tarjan find what networkx finds, on random graphs."""
    import networkx as nx

    graph = DepGraph.__new__(DepGraph)
    nodes = [NodeId(f"prompt/n{i}@1.0.0") for i in range(13)]
    succ: dict[NodeId, list[NodeId]] = {n: [] for n in nodes}
    for u, v in set(edges):
        succ[nodes[u]].append(nodes[v])
    pred: dict[NodeId, list[NodeId]] = {n: [] for n in nodes}
    for u, v in set(edges):
        pred[nodes[v]].append(nodes[u])
    graph._succ = {n: sorted(t) for n, t in succ.items()}
    graph._pred = {n: sorted(t) for n, t in pred.items()}
    reference: nx.DiGraph[NodeId] = nx.DiGraph()
    reference.add_nodes_from(nodes)
    reference.add_edges_from((nodes[u], nodes[v]) for u, v in edges)
    expected = sorted(sorted(c) for c in nx.strongly_connected_components(reference)
                      if len(c) > 1 or any(reference.has_edge(n, n) for n in c))
    assert sorted(sorted(c) for c in graph._knots()) == expected
