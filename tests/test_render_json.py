"""registry.render.json on report objects built by hand: each shape, exactly, and valid
against its schema in schemas/output/."""

from __future__ import annotations

import datetime as dt
import json

from conftest import validate_output
from reports import decl, hop, prompt

from registry.bom import Completeness, Gaps
from registry.findings import Finding, Severity, Span
from registry.impact import Dependent
from registry.refs import NodeId
from registry.render import json as json_out
from registry.retirements import Retirement
from registry.rules import CheckResult
from registry.views import DepsTree, GraphEdge, GraphNode, Listing, Placed, ShowView, Subgraph

BASE = prompt("base")
BOT = decl("Feature", "bot", None, spec={"tier": "high"})


def test_check_names_the_registry_and_counts_by_severity() -> None:
    found = Finding("unused-artifact", Severity.INFO, "nothing uses prompt/base@1.0.0",
                    Span("prompts/base.yaml", 1, 1), subject=BASE.id)
    document = json.loads(json_out.check(CheckResult([found], 2, 2, "demo")))
    validate_output("check", document)
    assert (document["registry"], document["counts"]) == (
        "demo", {"error": 0, "warning": 0, "info": 1})
    assert [(f["rule"], f["path"], f["line"], f["subject"]) for f in document["findings"]] == [
        ("unused-artifact", "prompts/base.yaml", 1, "prompt/base@1.0.0")]


def test_ls_gives_each_declaration_with_its_line() -> None:
    document = json.loads(json_out.ls(Listing("demo", (Placed(BASE, 3),))))
    validate_output("ls", document)
    assert document == {"version": 1, "registry": "demo", "declarations": [{
        "id": "prompt/base@1.0.0", "kind": "Prompt", "name": "base", "version": "1.0.0",
        "owner": "team/core", "description": None, "path": "prompts/base.yaml", "line": 3}]}


def test_show_gives_the_declaration_its_edges_and_a_known_retirement() -> None:
    model = decl("Model", "gpt", None, spec={"provider": "openai", "modelId": "gpt-4o"})
    record = Retirement("openai", "gpt-4o", dt.date(2027, 3, 1), "firm", "openai/gpt-5",
                        None, "OpenAI deprecations page", "https://example.test/deprecations",
                        dt.date(2026, 11, 1), other_days=(("eu", dt.date(2027, 4, 1)),))
    view = ShowView(model, 2, (), (), (), (hop(BOT.id, model.id, "model"),), record,
                    "2027-03-01 (...)", "")
    document = json.loads(json_out.show(view))
    validate_output("show", document)
    assert document["usedBy"] == [{"source": "feature/bot", "target": "model/gpt",
                                   "label": "model"}]
    assert (document["uses"], document["otherVersions"]) == ([], [])
    assert document["retirement"] == {
        "sunset": "2027-03-01", "dateKind": "firm", "source": "OpenAI deprecations page",
        "sourceUrl": "https://example.test/deprecations", "read": "2026-11-01",
        "replacement": "openai/gpt-5", "otherDays": [{"where": "eu", "day": "2027-04-01"}]}
    assert document["declaration"]["spec"]["modelId"] == "gpt-4o"


def test_deps_lists_every_dependency_nearest_first_with_its_path() -> None:
    path = (hop(BOT.id, BASE.id, "prompt"),)
    tree = DepsTree(BOT, None, {BOT.id: path, BASE.id: ()}, (Dependent(BASE, 1, path),))
    document = json.loads(json_out.deps(tree))
    validate_output("deps", document)
    assert document == {"version": 1, "root": "feature/bot", "dependencies": [{
        "id": "prompt/base@1.0.0", "kind": "Prompt", "owner": "team/core", "distance": 1,
        "path": [{"source": "feature/bot", "target": "prompt/base@1.0.0",
                  "label": "prompt"}]}]}


def test_graph_gives_the_nodes_and_edges_of_the_subgraph() -> None:
    sub = Subgraph((GraphNode(BOT.id, "Feature", None), GraphNode(NodeId("mcp/crm@1.0.0"),
                                                                    "McpServer", "team/core")),
                   (GraphEdge(BOT.id, NodeId("mcp/crm@1.0.0"), "tool", "lookup"),))
    document = json.loads(json_out.graph(sub))
    validate_output("graph", document)
    assert document == {"version": 1, "nodes": [
        {"id": "feature/bot", "kind": "Feature", "owner": None},
        {"id": "mcp/crm@1.0.0", "kind": "McpServer", "owner": "team/core"}], "edges": [
        {"source": "feature/bot", "target": "mcp/crm@1.0.0", "label": "tool",
         "member": "lookup"}]}


def test_completeness_gives_the_score_and_each_component() -> None:
    review = Completeness((Gaps(NodeId("model/gpt"), ("license",), ("license",)),), 0)
    assert json.loads(json_out.completeness(review)) == {"version": 1, "percent": 0,
        "components": [{"id": "model/gpt", "expected": ["license"], "missing": ["license"]}]}
