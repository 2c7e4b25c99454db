"""registry/impact.py: the blast radius of a set of artifacts (each dependent with its
distance and one shortest path), the features it reaches, the owners to tell, the evals to
run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from registry.graph import Hop
from registry.impact import analyze, dependents_of
from registry.project import Project

TEAMS = {
    "teams/support.yaml": "apiVersion: aireg/v1\nkind: Team\nmetadata: {name: support}\n"
                          "spec: {members: [dev-lee], contact: '#support-ai'}\n",
}


def declaration(kind: str, name: str, spec: str, version: str | None = "1.0.0",
                owner: str = "team/platform") -> str:
    shown = f", version: {version}" if version else ""
    return (f"apiVersion: aireg/v1\nkind: {kind}\nmetadata: {{name: {name}{shown}, "
            f"owner: {owner}}}\nspec: {spec}\n")


# style <-includes- reply <-uses- support-bot (critical, team/support)
#       <-includes- answer <-uses- search (high)            eval/voice covers reply
#                                  <-uses- faq (low) -uses-> search (a feature using a feature)
FILES = {
    **TEAMS,
    "style.yaml": declaration("Prompt", "style", "{template: Be kind.}", "3.1.0"),
    "reply.yaml": declaration("Prompt", "reply", "{template: Hi, includes: [prompt/style@^3]}",
                              "2.0.0", owner="team/support"),
    "answer.yaml": declaration("Prompt", "answer",
                               "{template: Sure, includes: [prompt/style@^3]}"),
    "bot.yaml": declaration("Feature", "support-bot",
                            "{tier: critical, uses: [prompt/reply@^2]}", None,
                            owner="team/support"),
    "search.yaml": declaration("Feature", "search", "{tier: high, uses: [prompt/answer@^1]}",
                               None),
    "faq.yaml": declaration("Feature", "faq", "{tier: low, uses: [feature/search]}", None),
    "voice.yaml": declaration("Eval", "voice", "{covers: [prompt/reply@^2]}"),
}


@pytest.fixture
def project(make_registry: Callable[..., Path]) -> Project:
    return Project.open(make_registry(FILES))


def hops(path: tuple[Hop, ...]) -> str:
    """A path as text reads it: `a -uses-> b -includes-> c`."""
    return path[0].source + "".join(f" -{hop.label}-> {hop.target}" for hop in path)


def test_every_dependent_with_its_distance_and_a_shortest_path(project: Project) -> None:
    style = project.catalog.by_id["prompt/style@3.1.0"]
    found = dependents_of(project.catalog, project.graph, [style])
    assert [(d.decl.id, d.distance, hops(d.path)) for d in found] == [
        ("prompt/answer@1.0.0", 1, "prompt/answer@1.0.0 -includes-> prompt/style@3.1.0"),
        ("prompt/reply@2.0.0", 1, "prompt/reply@2.0.0 -includes-> prompt/style@3.1.0"),
        ("eval/voice@1.0.0", 2,
         "eval/voice@1.0.0 -covers-> prompt/reply@2.0.0 -includes-> prompt/style@3.1.0"),
        ("feature/search", 2,
         "feature/search -uses-> prompt/answer@1.0.0 -includes-> prompt/style@3.1.0"),
        ("feature/support-bot", 2,
         "feature/support-bot -uses-> prompt/reply@2.0.0 -includes-> prompt/style@3.1.0"),
        ("feature/faq", 3, "feature/faq -uses-> feature/search -uses-> prompt/answer@1.0.0 "
         "-includes-> prompt/style@3.1.0"),
    ]


def test_the_report_names_features_by_tier_owners_and_evals(project: Project) -> None:
    report = analyze(project.catalog, project.graph,
                     [project.catalog.by_id["prompt/style@3.1.0"]])
    assert [(f.decl.id, f.tier) for f in report.features] == [
        ("feature/support-bot", "critical"), ("feature/search", "high"), ("feature/faq", "low")]
    assert report.highest_tier == "critical"
    assert [(o.owner, o.contacts, o.nodes) for o in report.owners] == [
        ("team/platform", ("#platform",), ("feature/faq", "feature/search",
                                           "prompt/answer@1.0.0")),
        ("team/support", ("#support-ai",), ("feature/support-bot", "prompt/reply@2.0.0")),
    ]  # the eval's owner is not told: running the eval is what it is listed for
    assert [d.id for d in report.evals] == ["eval/voice@1.0.0"]
    assert [d.id for d in report.targets] == ["prompt/style@3.1.0"]


def test_a_leaf_reaches_nothing(project: Project) -> None:
    report = analyze(project.catalog, project.graph, [project.catalog.by_id["feature/faq"]])
    assert (report.dependents, report.features, report.owners, report.evals) == ((), (), (), ())
    assert report.highest_tier is None


def test_targets_count_themselves_when_asked(project: Project) -> None:
    """A changed feature is itself affected (impact --base), at distance 0."""
    search = project.catalog.by_id["feature/search"]
    found = dependents_of(project.catalog, project.graph, [search], include_targets=True)
    assert [(d.decl.id, d.distance, d.path) for d in found] == [
        ("feature/search", 0, ()), ("feature/faq", 1, found[1].path)]
    assert hops(found[1].path) == "feature/faq -uses-> feature/search"


def test_several_targets_take_each_dependent_at_its_nearest(project: Project) -> None:
    catalog = project.catalog
    found = dependents_of(catalog, project.graph, [catalog.by_id["prompt/style@3.1.0"],
                                                   catalog.by_id["prompt/answer@1.0.0"]])
    distances = {d.decl.id: d.distance for d in found}
    assert distances["feature/search"] == 1  # through answer, not two hops through style
    assert "prompt/answer@1.0.0" not in distances  # a target is not its own dependent
