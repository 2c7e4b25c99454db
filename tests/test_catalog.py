"""registry/catalog.py: lookup by id and name, how refs resolve, and the findings about refs,
each at its file:line:column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from test_rules import ZENDESK

from registry.catalog import Catalog
from registry.findings import RefArgumentError
from registry.project import Project
from registry.refs import Ref


def prompt(name: str, version: str, spec: str = "template: Be kind.\n",
           owner: str = "team/platform") -> str:
    body = "".join(f"  {line}\n" for line in spec.splitlines())
    return (f"apiVersion: aireg/v1\nkind: Prompt\nmetadata:\n  name: {name}\n"
            f"  version: {version}\n  owner: {owner}\nspec:\n{body}")


STYLES = {f"prompts/style-{v}.yaml": prompt("house-style", v)
          for v in ("2.4.0", "3.0.0", "3.1.0", "4.0.0-rc.1")}

MODEL = """\
apiVersion: aireg/v1
kind: Model
metadata: {name: gpt-4o, owner: team/platform}
spec: {provider: openai, modelId: gpt-4o-2024-08-06}
"""


@pytest.fixture
def opened(make_registry: Callable[..., Path]) -> Callable[..., Project]:
    def make(files: dict[str, str | bytes]) -> Project:
        return Project.open(make_registry({**STYLES, **files}))

    return make


def catalog_of(opened: Callable[..., Project], files: dict[str, str | bytes]) -> Catalog:
    return opened(files).catalog


@pytest.mark.parametrize(("ref", "expected"), [
    ("prompt/house-style@^3", "prompt/house-style@3.1.0"),
    ("prompt/house-style@~3.0", "prompt/house-style@3.0.0"),
    ("prompt/house-style@2.4.0", "prompt/house-style@2.4.0"),
    ("prompt/house-style", "prompt/house-style@3.1.0"),  # no range: the highest release
    ("prompt/house-style@^4.0.0-rc.1", "prompt/house-style@4.0.0-rc.1"),
    ("prompt/house-style@^4", None),  # a pre-release only for a range that names one
    ("prompt/house-style@^5", None),
    ("prompt/nothing@^1", None),
])
def test_a_ref_resolves_to_the_highest_version_its_range_admits(
        opened: Callable[..., Project], ref: str, expected: str | None) -> None:
    found = catalog_of(opened, {}).resolve(Ref.parse(ref))
    assert (found.id if found else None) == expected


def test_matching_lists_every_admitted_version_lowest_first(
        opened: Callable[..., Project]) -> None:
    catalog = catalog_of(opened, {})
    assert [d.id for d in catalog.matching(Ref.parse("prompt/house-style@^3"))] == [
        "prompt/house-style@3.0.0", "prompt/house-style@3.1.0"]
    assert len(catalog.matching(Ref.parse("prompt/house-style"))) == 4
    assert [d.version for d in catalog.by_key[("Prompt", "house-style")]] == [
        "2.4.0", "3.0.0", "3.1.0", "4.0.0-rc.1"]


def located(project: Project) -> list[str]:
    return [f"{f.span}: {f.severity.value}[{f.rule}] {f.message}"
            for f in project.locate(project.catalog.findings)]


def test_each_broken_ref_is_a_finding_at_the_ref(opened: Callable[..., Project]) -> None:
    spec = ("template: Hi\nincludes: [prompt/house-styel@^3, prompt/house-style@^9]\n"
            "model: prompt/house-style\ntools: [mcp/zendesk@^2#search_tikets]\n")
    project = opened({"prompts/reply.yaml": prompt("reply", "1.0.0", spec),
                      "mcp/zendesk.yaml": ZENDESK})
    assert located(project) == [
        "prompts/reply.yaml:9:14: error[dangling-ref] `prompt/house-styel@^3` names "
        "prompt/house-styel, which is not declared (did you mean prompt/house-style?); declare "
        "it or fix the ref",
        "prompts/reply.yaml:9:37: error[unsatisfied-ref] no declared version of "
        "prompt/house-style satisfies `^9`; declared: 2.4.0, 3.0.0, 3.1.0, 4.0.0-rc.1",
        "prompts/reply.yaml:10:10: error[ref-kind] `spec.model` takes refs to models, not "
        "prompts (`prompt/house-style`)",
        "prompts/reply.yaml:11:11: error[unknown-tool] mcp/zendesk@2.3.0 has no tool "
        "`search_tikets` (did you mean search_tickets?); its tools: search_tickets, get_ticket",
    ]
    # Only refs that resolve make edges; an unknown tool's server is still used.
    assert [(e.source, e.target, e.member) for e in project.catalog.edges] == [
        ("prompt/reply@1.0.0", "mcp/zendesk@2.3.0", "search_tikets")]


def test_a_declaration_written_twice_is_one_duplicate_naming_the_first(
        opened: Callable[..., Project]) -> None:
    twice = prompt("reply", "1.0.0") + "---\n" + prompt("reply", "1.0.0", "template: again\n")
    project = opened({"prompts/reply.yaml": twice})
    assert located(project) == [
        "prompts/reply.yaml:13:9: error[duplicate] prompt/reply@1.0.0 is declared twice (first "
        "at prompts/reply.yaml:4:9); remove one, or give this one a new version"]
    # The first one is the one kept.
    assert project.catalog.by_id["prompt/reply@1.0.0"].template == "Be kind."


def test_edges_run_from_the_user_to_what_it_resolves_to(
        opened: Callable[..., Project]) -> None:
    spec = "template: Hi\nincludes: [prompt/house-style@^3]\ntools: [mcp/zendesk#get_ticket]\n"
    catalog = catalog_of(opened, {"prompts/reply.yaml": prompt("reply", "1.0.0", spec),
                                  "mcp/zendesk.yaml": ZENDESK})
    assert [(e.source, e.target, e.label, e.member) for e in catalog.edges] == [
        ("prompt/reply@1.0.0", "prompt/house-style@3.1.0", "includes", None),
        ("prompt/reply@1.0.0", "mcp/zendesk@2.3.0", "tool", "get_ticket")]


@pytest.mark.parametrize(("text", "message"), [
    ("prompt/house-style@^7", "no version of prompt/house-style satisfies `^7`; declared: "
     "2.4.0, 3.0.0, 3.1.0, 4.0.0-rc.1"),
    ("prompt/house-styl", "prompt/house-styl is not declared (did you mean "
     "prompt/house-style?); run `aireg ls` to see what is"),
    ("model/gpt-4o@^1", "model/gpt-4o is declared without a version, so `@^1` cannot "
     "match; remove the range"),
    ("user/maria", "`user/maria` names a person; name a declaration instead"),
    ("mcp/zendesk#get_tickets", "mcp/zendesk@2.3.0 has no tool `get_tickets` (did you mean "
     "get_ticket?); its tools: search_tickets, get_ticket"),
])
def test_a_command_line_ref_that_names_nothing_says_what_there_is(
        opened: Callable[..., Project], text: str, message: str) -> None:
    catalog = catalog_of(opened, {"mcp/zendesk.yaml": ZENDESK, "models/gpt.yaml": MODEL})
    with pytest.raises(RefArgumentError) as raised:
        catalog.lookup(text)
    assert str(raised.value) == message


def test_lookup_without_a_range_names_every_version(opened: Callable[..., Project]) -> None:
    catalog = catalog_of(opened, {})
    assert [d.version for d in catalog.lookup("prompt/house-style")] == [
        "2.4.0", "3.0.0", "3.1.0", "4.0.0-rc.1"]


TEAMS = {
    "teams/old.yaml": "apiVersion: aireg/v1\nkind: Team\nmetadata: {name: old}\n"
                      "spec: {members: [ben, maria], active: false}\n",
}


@pytest.mark.parametrize(("owner", "status", "teams"), [
    ("team/platform", "ok", ["platform"]),
    ("team/old", "inactive-team", ["old"]),
    ("team/ghosts", "unknown-team", []),
    ("user/maria", "ok", ["platform"]),  # in platform (active) and old (inactive)
    ("user/ben", "inactive-user", []),
    ("user/nobody", "unknown-user", []),
    (None, "missing", []),
])
def test_an_owner_is_active_through_an_active_team(
        opened: Callable[..., Project], owner: str | None, status: str,
        teams: list[str]) -> None:
    catalog = catalog_of(opened, TEAMS)
    assert catalog.owner_status(owner) == status
    assert catalog.owner_team(owner) == teams
    assert catalog.memberships["maria"] == ["old", "platform"]
