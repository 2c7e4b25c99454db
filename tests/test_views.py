"""registry.views on small registries: what ls, show, deps and graph are given to render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from registry import views
from registry.findings import AiregError
from registry.project import Project


def prompt(name: str, version: str, includes: str = "[]", owner: str = "team/platform") -> str:
    return (f"apiVersion: aireg/v1\nkind: Prompt\nmetadata:\n  name: {name}\n"
            f"  version: {version}\n  owner: {owner}\n"
            f"spec:\n  template: hi\n  includes: {includes}\n")


@pytest.fixture
def project(make_registry: Callable[..., Path]) -> Project:
    """a includes b@^1, whose 1.0.0 includes a (a cycle); c includes a; b has a 2.0.0 too."""
    root = make_registry({
        "a.yaml": prompt("a", "1.0.0", "[prompt/b@^1]"),
        "b.yaml": prompt("b", "1.0.0", "[prompt/a@^1]") + "---\n"
                  + prompt("b", "2.0.0", owner="user/maria"),
        "c.yaml": "# c\n" + prompt("c", "1.0.0", "[prompt/a@^1]"),
    })
    return Project.open(root, today=dt.date(2026, 11, 21), use_cache=False)


def test_listing_filters_by_kind_and_owner_sorted_by_kind_and_id(project: Project) -> None:
    listing = views.listing(project, views.kind_named("prompt"), "team/platform")
    assert [(r.decl.id, r.decl.path, r.line) for r in listing.rows] == [
        ("prompt/a@1.0.0", "a.yaml", 1), ("prompt/b@1.0.0", "b.yaml", 1),
        ("prompt/c@1.0.0", "c.yaml", 2)]
    assert [r.decl.id for r in views.listing(project, "Team").rows] == ["team/platform"]


def test_a_kind_is_named_in_any_case_or_by_its_ref_prefix() -> None:
    assert [views.kind_named(k) for k in ("PROMPT", "mcp", "McpServer")] == [
        "Prompt", "McpServer", "McpServer"]
    with pytest.raises(AiregError) as raised:
        views.kind_named("bot")
    assert str(raised.value) == ("unknown kind `bot`; kinds are Model, Prompt, Adapter, "
                                 "Dataset, McpServer, Feature, Eval, Team, Environment, "
                                 "VectorIndex, Revocation")


def test_show_gives_the_highest_version_its_other_versions_and_edges(project: Project) -> None:
    view = views.show(project, "prompt/b")
    assert (view.decl.id, view.line, view.other_versions) == ("prompt/b@2.0.0", 11, ("1.0.0",))
    # A user's contacts are those of the teams they are in.
    assert (view.uses, view.used_by, view.contacts) == ((), (), ("#platform",))
    older = views.show(project, "prompt/b@~1.0")
    assert [(h.source, h.target, h.label) for h in older.used_by] == [
        ("prompt/a@1.0.0", "prompt/b@1.0.0", "includes")]
    assert older.contacts == ("#platform",)
    assert older.document.startswith("apiVersion: aireg/v1\n") and "2.0.0" not in older.document
    assert (older.retirement, older.retirement_text) == (None, None)  # not a Model


def test_graph_around_a_ref_on_a_cycle_lists_each_node_once(project: Project) -> None:
    sub = views.graph_around(project, "prompt/a")
    assert [n.id for n in sub.nodes] == ["prompt/a@1.0.0", "prompt/b@1.0.0", "prompt/c@1.0.0"]
    assert [(e.source, e.target, e.label) for e in sub.edges] == [
        ("prompt/a@1.0.0", "prompt/b@1.0.0", "includes"),
        ("prompt/b@1.0.0", "prompt/a@1.0.0", "includes"),
        ("prompt/c@1.0.0", "prompt/a@1.0.0", "includes")]
    assert len(views.graph_around(project, None).nodes) == 5
