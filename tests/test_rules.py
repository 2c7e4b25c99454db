"""`aireg check`, rule by rule (SPEC section 4): the exact finding lines with file:line:column,
severity and message, the exit code, the registry's policy, and how refs resolve (section 3)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, Check, Run, findings, of_rule

MakeRegistry = Callable[..., Path]


# --- building declarations ---------------------------------------------------------------------

def prompt(name: str, spec: str = "template: hi\n", version: str = "1.0.0",
           owner: str | None = "team/platform") -> str:
    """A Prompt: `name` is on line 4 (column 9), `owner` on line 6 (column 10), and `spec`
    starts on line 8 (with an owner; one line earlier without)."""
    owner_line = f"  owner: {owner}\n" if owner else ""
    return (f"apiVersion: aireg/v1\nkind: Prompt\nmetadata:\n  name: {name}\n"
            f"  version: {version}\n{owner_line}spec:\n"
            + textwrap.indent(textwrap.dedent(spec), "  "))


def feature(*uses: str, name: str = "bot") -> str:
    """A Feature owned by team/platform: its first ref is on line 8, column 7."""
    items = "".join(f"    - {ref}\n" for ref in uses)
    return (f"apiVersion: aireg/v1\nkind: Feature\nmetadata:\n  name: {name}\n"
            f"  owner: team/platform\nspec:\n  uses:\n{items}")


def documents(*docs: str) -> str:
    return "---\n".join(docs)


def team(name: str, members: str, active: bool = True) -> str:
    return (f"apiVersion: aireg/v1\nkind: Team\nmetadata:\n  name: {name}\nspec:\n"
            f"  members: [{members}]\n  active: {str(active).lower()}\n")


def config(policy: str) -> str:
    """aireg.yaml with a policy that starts on line 7 (a first rule under `rules:` is on 8)."""
    return CONFIG + "spec:\n  policy:\n" + textwrap.indent(textwrap.dedent(policy), "    ")


MODEL = """\
apiVersion: aireg/v1
kind: Model
metadata: {name: house-llm, owner: team/platform}
spec: {provider: self-hosted, modelId: acme/house-llm-7b, hosting: self-hosted}
"""
DATASET = """\
apiVersion: aireg/v1
kind: Dataset
metadata: {name: tickets, version: 2.0.0, owner: team/platform}
spec: {records: 847}
"""
ZENDESK = """\
apiVersion: aireg/v1
kind: McpServer
metadata: {name: zendesk, version: 2.3.0, owner: team/platform}
spec:
  transport: http
  url: https://mcp.example.com/zendesk
  trust: first-party
  tools:
    - name: search_tickets
    - name: get_ticket
"""


# --- running check ----------------------------------------------------------------------------



# --- structure: schema, duplicate, refs, cycles ---------------------------------------------------

def test_schema(check: Check) -> None:
    result = check({"data.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        metadata:
          name: Support Tickets
          version: v2.0.0
          owner: platform
        spec:
          classification: secret
        """})
    assert result.code == 1
    assert of_rule(result, "schema") == [
        "data.yaml:4:9: error[schema] `metadata.name` must be a name of lowercase letters, digits, "
        "`.`, `_` and `-`, starting with a letter or digit; got `Support Tickets`",
        "data.yaml:5:12: error[schema] `metadata.version` must be a full SemVer version such as "
        "1.0.0 or 2.0.0-rc.1; got `v2.0.0`",
        "data.yaml:6:10: error[schema] `metadata.owner` must be team/<name> or user/<handle>; got "
        "`platform`",
        "data.yaml:8:19: error[schema] `spec.classification` must be one of public, internal, "
        "confidential or restricted; got `secret`",
    ]


def test_duplicate_across_files(check: Check) -> None:
    result = check({"prompts/a.yaml": prompt("p"), "prompts/b.yaml": prompt("p")})
    assert result.code == 1
    assert of_rule(result, "duplicate") == [
        "prompts/b.yaml:4:9: error[duplicate] prompt/p@1.0.0 is declared twice (first at "
        "prompts/a.yaml:4:9); remove one, or give this one a new version"]


def test_duplicate_in_one_file(check: Check) -> None:
    result = check({"prompts.yaml": documents(prompt("p"), prompt("p"),
                                              prompt("p", version="1.1.0"))})
    assert result.code == 1
    assert of_rule(result, "duplicate") == [
        "prompts.yaml:13:9: error[duplicate] prompt/p@1.0.0 is declared twice (first at "
        "prompts.yaml:4:9); remove one, or give this one a new version"]


def test_dangling_ref(check: Check) -> None:
    result = check({"house-style.yaml": prompt("house-style", version="3.1.0"),
                    "bot.yaml": feature("prompt/house-styel@^3", "model/claude")})
    assert result.code == 1
    assert of_rule(result, "dangling-ref") == [
        "bot.yaml:8:7: error[dangling-ref] `prompt/house-styel@^3` names prompt/house-styel, which "
        "is not declared (did you mean prompt/house-style?); declare it or fix the ref",
        "bot.yaml:9:7: error[dangling-ref] `model/claude` names model/claude, which is not "
        "declared; declare it or fix the ref",
    ]


def test_unsatisfied_ref_lists_declared_versions(check: Check) -> None:
    result = check({
        "house-style.yaml": documents(prompt("house-style", version="3.1.0"),
                                      prompt("house-style", version="2.4.0")),
        "model.yaml": MODEL,
        "bot.yaml": feature("prompt/house-style@^4", "model/house-llm@^1"),
    })
    assert result.code == 1
    assert of_rule(result, "unsatisfied-ref") == [
        "bot.yaml:8:7: error[unsatisfied-ref] no declared version of prompt/house-style satisfies "
        "`^4`; declared: 2.4.0, 3.1.0",
        "bot.yaml:9:7: error[unsatisfied-ref] model/house-llm is declared without a version, so "
        "`@^1` cannot match; remove the range",
    ]


def test_ref_kind(check: Check) -> None:
    adapter = """\
        apiVersion: aireg/v1
        kind: Adapter
        metadata: {name: classifier, version: 1.2.0, owner: team/platform}
        spec:
          baseModel: dataset/tickets@^2
          method: lora
          datasets: [dataset/tickets@^2, model/house-llm]
        """
    result = check({"adapter.yaml": adapter, "data.yaml": DATASET, "model.yaml": MODEL,
                    "bot.yaml": feature("adapter/classifier@^1", "team/platform")})
    assert result.code == 1
    assert of_rule(result, "ref-kind") == [
        "adapter.yaml:5:14: error[ref-kind] `spec.baseModel` takes refs to models, not datasets "
        "(`dataset/tickets@^2`)",
        "adapter.yaml:7:34: error[ref-kind] `spec.datasets` takes refs to datasets, not models "
        "(`model/house-llm`)",
        "bot.yaml:9:7: error[ref-kind] `spec.uses` takes refs to adapters, datasets, evals, "
        "features, vector indexes, MCP servers, models, prompts, not teams "
        "(`team/platform`)",
    ]


def test_unknown_tool(check: Check) -> None:
    spec = "template: hi\ntools: [mcp/zendesk@^2#get_ticket, mcp/zendesk@^2#search_tickts]\n"
    result = check({"mcp.yaml": ZENDESK, "triage.yaml": prompt("triage", spec)})
    assert result.code == 1
    assert of_rule(result, "unknown-tool") == [
        "triage.yaml:9:38: error[unknown-tool] mcp/zendesk@2.3.0 has no tool `search_tickts` "
        "(did you mean search_tickets?); its tools: search_tickets, get_ticket"]


def test_cycle(check: Check) -> None:
    def including(name: str, other: str) -> str:
        return prompt(name, f"template: hi\nincludes: [prompt/{other}@^1]\n")

    result = check({"b.yaml": including("b", "c"), "c.yaml": including("c", "a"),
                    "a.yaml": including("a", "b"), "self.yaml": including("self", "self")})
    assert result.code == 1
    assert of_rule(result, "cycle") == [
        "a.yaml:9:14: error[cycle] dependency cycle: prompt/a@1.0.0 -> prompt/b@1.0.0 -> "
        "prompt/c@1.0.0 -> prompt/a@1.0.0; remove one of these refs",
        "self.yaml:9:14: error[cycle] dependency cycle: prompt/self@1.0.0 -> prompt/self@1.0.0; "
        "remove one of these refs",
    ]


def test_path_escape(check: Check) -> None:
    result = check({"prompts/p.yaml": prompt("p", "templateFile: ../../p.j2\n")})
    assert result.code == 1
    assert of_rule(result, "path-escape") == [
        "prompts/p.yaml:8:17: error[path-escape] templateFile `../../p.j2` resolves outside the "
        "registry root; keep templates inside the registry"]


# --- templates ------------------------------------------------------------------------------------

def test_template_syntax_error_inline(check: Check) -> None:
    spec = """\
        variables: [name]
        template: |
          Hello {{ name }}.

          {{ name | }}
        """
    result = check({"p.yaml": prompt("p", spec)})
    assert result.code == 1
    assert of_rule(result, "template") == [
        "p.yaml:12:5: error[template] Jinja2 syntax error: expected token 'name', got 'end of "
        "print statement'"]


def test_template_syntax_error_keeps_indentation_inside_block(check: Check) -> None:
    spec = """\
        template: |-

          First line.
            {% endif %}
        """
    result = check({"p.yaml": "# a comment first\n" + prompt("p", spec)})
    assert of_rule(result, "template") == [
        "p.yaml:12:7: error[template] Jinja2 syntax error: Encountered unknown tag 'endif'."]


def test_template_syntax_error_in_template_file(check: Check) -> None:
    result = check({"prompts/p.yaml": prompt("p", "templateFile: p.j2\nvariables: [name]\n"),
                    "prompts/p.j2": "Dear {{ name }},\n\n{{ name | }}\n"})
    assert result.code == 1
    assert of_rule(result, "template") == [
        "prompts/p.j2:3:1: error[template] Jinja2 syntax error: expected token 'name', got 'end "
        "of print statement'"]


def test_template_file_missing(check: Check) -> None:
    result = check({"prompts/p.yaml": prompt("p", "templateFile: gone.j2\n")})
    assert result.code == 1
    assert of_rule(result, "template") == [
        "prompts/p.yaml:8:17: error[template] templateFile `gone.j2` does not exist (looked for "
        "prompts/gone.j2)"]


def test_include_not_listed_in_includes(check: Check) -> None:
    spec = """\
        includes: [prompt/house-style@^1]
        template: |
          {% include "prompt/house-style" %}
          {% include "prompt/footer" %}
        """
    result = check({"p.yaml": documents(prompt("p", spec), prompt("house-style"),
                                        prompt("footer"))})
    assert result.code == 1
    assert of_rule(result, "template") == [
        "p.yaml:11:17: error[template] include `prompt/footer` is not listed in spec.includes; add "
        "prompt/footer@<range> to includes"]


def test_undeclared_variable_inline(check: Check) -> None:
    spec = """\
        variables: [customer_name]
        template: |
          Hello {{ customer_name }},
          your ticket {{ ticket.id }} is
            {{ custmer_name }}
        """
    result = check({"p.yaml": prompt("p", spec)})
    assert result.code == 0  # warnings do not fail the check by default
    assert of_rule(result, "undeclared-variable") == [
        "p.yaml:11:20: warning[undeclared-variable] the template uses `ticket`, which is not in "
        "spec.variables; add it to variables or fix the name",
        "p.yaml:12:10: warning[undeclared-variable] the template uses `custmer_name`, which is not "
        "in spec.variables (did you mean customer_name?); add it to variables or fix the name",
    ]


def test_undeclared_variable_in_template_file(check: Check) -> None:
    result = check({
        "prompts/p.yaml": prompt("p", "templateFile: p.j2\nvariables: [name]\n"),
        "prompts/p.j2": "Dear {{ name }},\n\n{% if vip %}Welcome back.{% endif %}\n",
    })
    assert result.code == 0
    assert of_rule(result, "undeclared-variable") == [
        "prompts/p.j2:3:7: warning[undeclared-variable] the template uses `vip`, which is not in "
        "spec.variables; add it to variables or fix the name"]


UNDECLARED = ("p.yaml:{}: warning[undeclared-variable] the template uses `{}`, which is not in "
              "spec.variables; add it to variables or fix the name")


@pytest.mark.parametrize(("spec", "a_at", "b_at"), [
    ("template: >\n  Hello {{ a }}\n  and {{ b }}\n", "9:14", "10:12"),
    ('template: "Hello {{ a }}\\nand {{ b }}"\n', "8:23", "8:36"),
])
def test_undeclared_variable_in_folded_or_quoted_template(check: Check, spec: str, a_at: str,
                                                          b_at: str) -> None:
    result = check({"p.yaml": prompt("p", spec)})
    assert of_rule(result, "undeclared-variable") == [
        UNDECLARED.format(a_at, "a"), UNDECLARED.format(b_at, "b")]


# --- owners -----------------------------------------------------------------------------------

def test_missing_owner(check: Check) -> None:
    result = check({"p.yaml": prompt("p", owner=None)})
    assert result.code == 1
    assert of_rule(result, "missing-owner") == [
        "p.yaml:3:1: error[missing-owner] prompt/p@1.0.0 has no owner; add metadata.owner: "
        "team/<name> or user/<handle>"]


def test_unknown_owner(check: Check) -> None:
    result = check({"p.yaml": documents(prompt("a", owner="team/platfrom"),
                                        prompt("b", owner="user/bob"))})
    assert result.code == 1
    assert of_rule(result, "unknown-owner") == [
        "p.yaml:6:10: error[unknown-owner] owner team/platfrom is not a declared Team (did you "
        "mean team/platform?); declare it or fix the name",
        "p.yaml:15:10: error[unknown-owner] owner user/bob is in no Team's members; add bob to a "
        "team, or give prompt/b@1.0.0 a team owner",
    ]


def test_inactive_owner(check: Check) -> None:
    result = check({
        "teams/legacy.yaml": team("legacy", "olduser, maria", active=False),
        "p.yaml": documents(prompt("a", owner="team/legacy"), prompt("b", owner="user/olduser"),
                            prompt("c", owner="user/maria")),
    })
    assert result.code == 0  # warnings
    # maria is also in the active team platform, so prompt/c is fine.
    assert of_rule(result, "inactive-owner") == [
        "p.yaml:6:10: warning[inactive-owner] owner team/legacy is an inactive team; hand "
        "prompt/a@1.0.0 to an active team",
        "p.yaml:15:10: warning[inactive-owner] owner user/olduser is only in inactive teams; hand "
        "prompt/b@1.0.0 to someone in an active team",
    ]


# --- usage: unused-artifact, unpinned-ref ---------------------------------------------------------

USAGE = {
    "prompts.yaml": documents(prompt("a", version="1.2.0"), prompt("b"),
                              prompt("b", version="2.1.0"), prompt("lonely")),
    "model.yaml": MODEL,
    "bot.yaml": feature("prompt/a", "prompt/b@^2", "model/house-llm"),
}
UNPINNED_A = ("bot.yaml:8:7: info[unpinned-ref] `prompt/a` has no version range, so it follows "
              "every new version, majors included; pin it, such as prompt/a@^1")
UNUSED_B1 = ("prompts.yaml:13:9: info[unused-artifact] nothing uses prompt/b@1.0.0 (consumers use "
             "2.1.0); remove it if it is no longer needed")
UNUSED_LONELY = ("prompts.yaml:31:9: info[unused-artifact] nothing uses prompt/lonely@1.0.0; "
                 "remove it if it is no longer needed")


def test_unused_artifact_and_unpinned_ref_are_info(check: Check) -> None:
    # Features and teams are never unused; an unversioned model ref is not "unpinned".
    result = check(USAGE)
    assert result.code == 0
    assert findings(result) == [UNPINNED_A, UNUSED_B1, UNUSED_LONELY]
    assert result.out.splitlines()[-1] == (
        "Found 0 errors, 0 warnings, 3 infos in 7 declarations in 5 files.")


# --- policy -------------------------------------------------------------------------------------

def test_policy_turns_a_rule_off_and_raises_another(check: Check) -> None:
    policy = config("""\
        rules:
          unused-artifact: "off"
          unpinned-ref: error
        """)
    result = check(USAGE, config=policy)
    assert result.code == 1
    assert findings(result) == [UNPINNED_A.replace("info[", "error[")]


def test_policy_off_unquoted_as_in_the_spec(check: Check) -> None:
    policy = config("""\
        rules:
          unused-artifact: off
        """)
    result = check(USAGE, config=policy)
    assert result.code == 0
    assert findings(result) == [UNPINNED_A]


def test_fail_on_warning(check: Check, tmp_path: Path) -> None:
    files = {"p.yaml": prompt("p", "template: Hi {{ name }}\n"),
             "bot.yaml": feature("prompt/p@^1")}
    expected = ["p.yaml:8:19: warning[undeclared-variable] the template uses `name`, which is not "
                "in spec.variables; add it to variables or fix the name"]
    default = check(files)
    assert (default.code, findings(default)) == (0, expected)
    strict = check(files, config=config("failOn: warning\n"), root=tmp_path / "strict")
    assert (strict.code, findings(strict)) == (1, expected)


def test_unknown_rule_in_policy(check: Check) -> None:
    policy = config("""\
        rules:
          unused-artifacts: "off"
        """)
    result = check(USAGE, config=policy)
    assert result.code == 1
    assert of_rule(result, "schema") == [
        "aireg.yaml:1:1: error[schema] aireg.yaml is invalid, so aireg uses the default settings "
        "until it is fixed",
        "aireg.yaml:8:7: error[schema] `spec.policy.rules`: unknown rule `unused-artifacts` (did "
        "you mean unused-artifact?)",
    ]


def test_unknown_rule_in_policy_points_at_its_key(check: Check) -> None:
    policy = config("""\
        rules:
          unused-artifact: info
          unpined-ref: error
        """)
    result = check(USAGE, config=policy)
    assert "aireg.yaml:9:7: error[schema] `spec.policy.rules`: unknown rule `unpined-ref` (did " \
        "you mean unpinned-ref?)" in of_rule(result, "schema")


# --- ref resolution -----------------------------------------------------------------------------

VERSIONS = {  # declared out of order, across files
    "p/a.yaml": prompt("p", version="3.1.0"),
    "p/b.yaml": prompt("p", version="4.0.0-rc.1"),
    "p/c.yaml": documents(prompt("p", version="3.2.0"), prompt("p", version="2.0.0")),
}


@pytest.mark.parametrize(("ref", "resolved"), [
    ("prompt/p@^3", "prompt/p@3.2.0"),  # the highest satisfying version wins
    ("prompt/p@~3.1", "prompt/p@3.1.0"),
    ("prompt/p@3.x", "prompt/p@3.2.0"),
    ("prompt/p@2.0.0", "prompt/p@2.0.0"),
    ("prompt/p", "prompt/p@3.2.0"),  # no range: highest release, not the release candidate
    ("prompt/p@*", "prompt/p@3.2.0"),
    ("prompt/p@>=3.0.0", "prompt/p@3.2.0"),  # a range without a pre-release skips 4.0.0-rc.1
    ("prompt/p@^4.0.0-rc.0", "prompt/p@4.0.0-rc.1"),  # ...one that names a pre-release takes it
    ("prompt/p@4.0.0-rc.1", "prompt/p@4.0.0-rc.1"),
])
def test_show_resolves_to_highest_satisfying_version(make_registry: MakeRegistry, aireg: Run,
                                                     ref: str, resolved: str) -> None:
    result = aireg("-C", str(make_registry(VERSIONS)), "show", ref, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["id"] == resolved


def test_show_with_no_satisfying_version_exits_2(make_registry: MakeRegistry,
                                                 aireg: Run) -> None:
    result = aireg("-C", str(make_registry(VERSIONS)), "show", "prompt/p@^4", "--format", "json")
    assert (result.code, result.out) == (2, "")
    assert result.err == ("aireg: error: no version of prompt/p satisfies `^4`; declared: 2.0.0, "
                          "3.1.0, 3.2.0, 4.0.0-rc.1\n")


def test_refs_in_declarations_resolve_the_same_way(make_registry: MakeRegistry,
                                                   aireg: Run) -> None:
    files = {**VERSIONS, "bot.yaml": feature("prompt/p@^3", "prompt/p@>=4.0.0-rc.0",
                                             "prompt/p@~3.1.0")}
    result = aireg("-C", str(make_registry(files)), "show", "feature/bot", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["uses"] == [
        {"source": "feature/bot", "target": "prompt/p@3.1.0", "label": "uses"},
        {"source": "feature/bot", "target": "prompt/p@3.2.0", "label": "uses"},
        {"source": "feature/bot", "target": "prompt/p@4.0.0-rc.1", "label": "uses"},
    ]
