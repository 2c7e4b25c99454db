"""The `aireg` command on the example registry: every output format against its golden file,
render, exit codes, start-up imports, internal errors, and the schemas/ folder."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CONFIG, EXAMPLE, REPO_ROOT, TEAM, GitRepo, Result, Run, check_golden, python

from registry.render import COMMAND_FORMATS, Format

SCHEMAS = REPO_ROOT / "schemas"
EXAMPLE_ARG = "examples/acme"

# The golden cases: command -> (variant, arguments). Every format the command offers is run
# for every variant, so a new format (or a new command) without a golden file fails.
TODAY = "2026-11-21"
VARIANTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "check": (("acme", ()),),
    "ls": (("acme", ()),),
    "show": (("house-style", ("prompt/house-style",)),),
    "deps": (("support-bot", ("feature/support-bot",)),),
    "impact": (("house-style", ("prompt/house-style",)),),
    "graph": (("acme", ()),),
    "deprecations": (("acme", ()),),
    "orphans": (("acme", ()),),
    "scan": (("acme", ()),),
    # Run in a copy of the example with two fixed commits (see history_repo).
    "history": (("house-style", ("prompt/house-style",)),),
    "status": (("acme", ()),),
    "lineage": (("ticket-classifier", ("adapter/ticket-classifier",)),),
}
# Extra cases in one format only.
EXTRA_CASES = (("graph", "support-triage", ("prompt/support-triage",), Format.MERMAID),)
EXTENSIONS = {Format.TEXT: "txt", Format.JSON: "json", Format.YAML: "yaml",
              Format.MERMAID: "mmd", Format.DOT: "dot", Format.MARKDOWN: "md",
              Format.SARIF: "sarif", Format.GITHUB: "github.txt"}


def golden_cases() -> list[Any]:
    cases = [(command, variant, args, fmt)
             for command, formats in COMMAND_FORMATS.items() for fmt in formats
             for variant, args in VARIANTS.get(command, (("MISSING", ()),))]
    return [pytest.param(command, variant, args, fmt, id=f"{command}-{variant}-{fmt.value}")
            for command, variant, args, fmt in [*cases, *EXTRA_CASES]]


@pytest.fixture
def acme(aireg: Run) -> Callable[..., Result]:
    """`aireg -C examples/acme ARGS...` run from the repository root."""

    def run(*args: str) -> Result:
        # A fixed day: deadlines in the example are judged against it.
        return aireg("-C", EXAMPLE_ARG, "--today", TODAY, *args, cwd=REPO_ROOT)

    return run


def validator(name: str) -> Any:
    """A validator for schemas/NAME (jsonschema is a test dependency)."""
    import jsonschema

    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def error_line(message: str) -> str:
    return f"aireg: error: {message}\n"


# --- golden files -------------------------------------------------------------------------


@pytest.fixture
def history_repo(git_repo: GitRepo, aireg: Run) -> GitRepo:
    """examples/acme in a git repository: committed, then house-style 3.1.0 edited in place,
    then edited again and bumped to 3.1.1 (`aireg bump`)."""
    shutil.copytree(EXAMPLE, git_repo.root, dirs_exist_ok=True)
    git_repo.commit("Import the acme registry")
    path = git_repo.root / "prompts" / "house-style.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Be direct and warm.", "Be direct and kind."), encoding="utf-8")
    git_repo.commit("Kinder house style")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("then the steps.", "then the numbered steps."),
                    encoding="utf-8")
    bumped = aireg("-C", str(git_repo.root), "bump", "prompt/house-style@3.1.0", "patch")
    assert bumped.code == 0, bumped.err
    git_repo.commit("Numbered steps, house style 3.1.1")
    return git_repo


@pytest.mark.parametrize(("command", "variant", "args", "fmt"), golden_cases())
def test_golden(request: pytest.FixtureRequest, acme: Callable[..., Result], aireg: Run,
                command: str, variant: str, args: tuple[str, ...], fmt: Format) -> None:
    assert command in VARIANTS, f"add golden cases for `aireg {command}` to VARIANTS"
    if command == "history":
        repo = request.getfixturevalue("history_repo")
        # Fixed authors, dates and content make the commit ids the same on every machine.
        result = aireg("-C", str(repo.root), command, *args, "--format", fmt.value)
    else:
        result = acme(command, *args, "--format", fmt.value)
    assert (result.code, result.err) == (0, "")
    check_golden(request, f"{command}-{variant}.{EXTENSIONS[fmt]}", result.out)


def test_default_format_is_the_first_listed(acme: Callable[..., Result]) -> None:
    for command, formats in COMMAND_FORMATS.items():
        args = VARIANTS[command][0][1]
        assert acme(command, *args).out == acme(command, *args, "--format",
                                                formats[0].value).out


@pytest.mark.parametrize("command", [c for c, f in COMMAND_FORMATS.items() if Format.JSON in f])
def test_json_output_matches_its_schema(acme: Callable[..., Result], command: str) -> None:
    output = json.loads(acme(command, *VARIANTS[command][0][1], "--format", "json").out)
    validator(f"output/{command}.schema.json").validate(output)


# --- impact -------------------------------------------------------------------------------


def test_impact_names_each_feature_with_a_path_to_house_style(
        acme: Callable[..., Result]) -> None:
    result = acme("impact", "prompt/house-style", "--format", "json")
    assert result.code == 0
    report = json.loads(result.out)
    assert report["targets"] == ["prompt/house-style@2.4.0", "prompt/house-style@3.1.0"]
    features = {f["id"]: f for f in report["features"]}
    assert list(features) == ["feature/support-bot", "feature/search-assistant",
                              "feature/onboarding-agent"]  # critical, high, medium
    # A consumer rebuilds each feature's path by following `next` through the dependents,
    # and each hop is an edge of the graph with its label.
    by_id = {d["id"]: d for d in report["dependents"]}
    edges = {(e["source"], e["target"]): e["label"]
             for e in json.loads(acme("graph", "--format", "json").out)["edges"]}
    for feature_id, hit in features.items():
        assert (hit["next"], hit["label"]) == (by_id[feature_id]["next"],
                                               by_id[feature_id]["label"])
        node, hops = feature_id, 0
        while node not in report["targets"]:
            step = by_id[node]
            assert edges[(node, step["next"])] == step["label"]
            assert by_id.get(step["next"], {"distance": 0})["distance"] == step["distance"] - 1
            node, hops = step["next"], hops + 1
        assert hops == by_id[feature_id]["distance"]


def test_impact_of_a_range_covers_only_the_versions_it_admits(
        acme: Callable[..., Result]) -> None:
    report = json.loads(acme("impact", "prompt/house-style@^3", "--format", "json").out)
    assert report["targets"] == ["prompt/house-style@3.1.0"]
    dependents = {d["id"] for d in report["dependents"]}
    assert "prompt/support-triage@1.4.0" in dependents
    # On house-style ^2 only: not affected by 3.x.
    assert dependents.isdisjoint({"prompt/support-reply@2.1.0", "prompt/onboarding-welcome@1.1.0"})


# --- render -------------------------------------------------------------------------------

TRIAGE_VARS = ("--var", "customer_name=Ann", "--var", "plan=Pro", "--var", "ticket_subject=Login",
               "--var", "ticket_body=I cannot log in", "--var", "recent_tickets=")

TRIAGE_RENDERED = """\
## Acme voice (house style v3)
You speak for Acme, the project-management platform for small teams.
- Be direct and warm. Lead with the answer, then the steps.
- Use plain words; explain a product term the first time you use it.
- Write for screen readers: numbered steps instead of tables, no emoji, descriptive link text.
- When you relied on a help-center article, cite it as [title](url).
- Never promise refunds, discounts, release dates or legal outcomes. \
Offer a handoff to a person instead.
- If you do not know, say so plainly. Never guess at account or billing data.


## Task: triage an incoming support ticket
Customer: Ann (plan: Pro)
Subject: Login

I cannot log in

Before you answer, call search_tickets to look for an open duplicate of this ticket.
Reply with JSON only, with these keys:
- category: one of billing, bug, how-to, account, other
- priority: one of p1, p2, p3, p4 (p1 = the customer cannot work at all)
- duplicate_of: the id of an open duplicate ticket, or null
- needs_human: true when the ticket mentions money, legal terms or data loss
- reason: one sentence
"""


def test_render_fills_in_the_house_style_include(acme: Callable[..., Result]) -> None:
    assert acme("render", "prompt/support-triage", *TRIAGE_VARS) == Result(0, TRIAGE_RENDERED, "")


def test_render_includes_the_version_each_prompt_pins(aireg: Run,
                                                       make_registry: Callable[..., Path]) -> None:
    def prompt(name: str, version: str, template: str, includes: str = "[]") -> str:
        return f"""\
            apiVersion: aireg/v1
            kind: Prompt
            metadata: {{name: {name}, version: {version}, owner: team/platform}}
            spec:
              template: "{template}"
              includes: {includes}
            """

    root = make_registry({
        "frag-1.yaml": prompt("frag", "1.0.0", "one"),
        "frag-2.yaml": prompt("frag", "2.0.0", "two"),
        "old.yaml": prompt("old", "1.0.0", "old {% include 'prompt/frag' %}", "[prompt/frag@^1]"),
        "new.yaml": prompt("new", "1.0.0", "new {% include 'prompt/frag' %}", "[prompt/frag@^2]"),
    })
    assert aireg("-C", str(root), "render", "prompt/old").out == "old one"
    assert aireg("-C", str(root), "render", "prompt/new").out == "new two"


def test_render_without_a_variable_names_it(acme: Callable[..., Result]) -> None:
    result = acme("render", "prompt/support-triage", "--var", "customer_name=Ann")
    assert result == Result(2, "", error_line(
        "prompt/support-triage@1.4.0 needs `plan`: pass --var plan=VALUE"))


def test_render_error_inside_a_value_is_not_called_a_missing_variable(
        acme: Callable[..., Result]) -> None:
    result = acme("render", "prompt/support-triage", *TRIAGE_VARS, "--var", "recent_tickets=x")
    assert result == Result(2, "", error_line(
        "prompt/support-triage@1.4.0 does not render: 'str object' has no attribute 'id'"))


@pytest.mark.parametrize(("ref", "kind"), [("model/gpt-4o-2024-08-06", "Model"),
                                           ("feature/support-bot", "Feature")])
def test_render_takes_only_prompts(acme: Callable[..., Result], ref: str, kind: str) -> None:
    assert acme("render", ref) == Result(2, "", error_line(
        f"{ref} is a {kind}; render takes a prompt ref"))


def test_render_var_needs_name_and_value(acme: Callable[..., Result]) -> None:
    assert acme("render", "prompt/support-triage", "--var", "plan") == Result(
        2, "", error_line("--var takes NAME=VALUE, not `plan`"))


def chained(length: int, loop: bool = False) -> dict[str, str | bytes]:
    """prompt/p0 includes p1, which includes p2, ... down to p{length - 1} (which includes
    p0 again with `loop`)."""
    files: dict[str, str | bytes] = {}
    for i in range(length):
        below = (i + 1) % length if loop or i < length - 1 else None
        include = f'{{% include \\"prompt/p{below}\\" %}}' if below is not None else "end"
        files[f"p{i}.yaml"] = f"""\
            apiVersion: aireg/v1
            kind: Prompt
            metadata: {{name: p{i}, version: 1.0.0, owner: team/platform}}
            spec:
              template: "{i} {include}"
              includes: [{f"prompt/p{below}@^1" if below is not None else ""}]
            """
    return files


def test_deps_of_a_chain_deeper_than_pythons_stack(aireg: Run,
                                                   make_registry: Callable[..., Path]) -> None:
    result = aireg("-C", str(make_registry(chained(1500))), "deps", "prompt/p0")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:3] == ["prompt/p0@1.0.0", "└── includes prompt/p1@1.0.0",
                         "    └── includes prompt/p2@1.0.0"]
    assert lines[-1] == " " * 4 * 1498 + "└── includes prompt/p1499@1.0.0"
    assert len(lines) == 1500


def test_render_refuses_a_chain_of_includes_too_deep(aireg: Run,
                                                      make_registry: Callable[..., Path]
                                                      ) -> None:
    root = str(make_registry(chained(1500)))
    assert aireg("-C", root, "render", "prompt/p0") == Result(2, "", error_line(
        "prompt/p0@1.0.0 does not render: its includes nest 1499 levels deep (down to "
        "prompt/p1499@1.0.0), over the 100 levels aireg renders; run `aireg check`"))
    assert aireg("-C", root, "render", "prompt/p1399").out == "".join(
        f"{i} " for i in range(1399, 1500)) + "end"  # 100 levels


def test_render_refuses_includes_in_a_loop(aireg: Run,
                                           make_registry: Callable[..., Path]) -> None:
    root = str(make_registry(chained(3, loop=True)))
    assert aireg("-C", root, "render", "prompt/p1") == Result(2, "", error_line(
        "prompt/p1@1.0.0 does not render: its includes go round in a loop (prompt/p1@1.0.0 -> "
        "prompt/p2@1.0.0 -> prompt/p0@1.0.0 -> prompt/p1@1.0.0); run `aireg check`"))


@pytest.mark.parametrize(("template", "message"), [
    ("{% if x %}" * 5000, "prompt/p@1.0.0's template, line 1: blocks and brackets nest more "
     "than 50 levels deep here, over the 50 that aireg reads; flatten them, or move the inner "
     "part into a prompt of its own and include it"),
    ("{{ x" + " + x" * 250 + " }}", "Jinja2 cannot compile it (too many nested parentheses); "
     "nest fewer blocks and loops"),
    ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
    ("{{ 'a' + 1 }}", 'TypeError: can only concatenate str (not "int") to str'),
], ids=["nesting", "python-limit", "zero", "type"])
def test_render_of_a_template_that_cannot_render_exits_2(
        aireg: Run, make_registry: Callable[..., Path], template: str, message: str) -> None:
    root = make_registry({"p.yaml": """\
        apiVersion: aireg/v1
        kind: Prompt
        metadata: {name: p, version: 1.0.0, owner: team/platform}
        spec:
          templateFile: p.j2
          variables: [x]
        """, "p.j2": template})
    assert aireg("-C", str(root), "render", "prompt/p", "--var", "x=1") == Result(
        2, "", error_line(f"prompt/p@1.0.0 does not render: {message}"))


# --- exit codes ---------------------------------------------------------------------------

SHAPE = "kind/name[@constraint][#member], such as prompt/house-style@^3"
BAD_REFS = {
    "prompt": f"`prompt` is not a ref; write {SHAPE}",
    "widget/x": "`widget/x` has an unknown kind `widget`; kinds are model, prompt, adapter, "
                "dataset, mcp, feature, eval, team, env, user, index, revocation",
    "prompt/House": "`prompt/House` has an invalid name `House`; names are lowercase letters, "
                    "digits, `.`, `_` and `-`, starting with a letter or digit",
    "prompt/house-style@abc": "`prompt/house-style@abc`: `abc` is not a version range; write one "
                              "in npm syntax, such as 3.1.0, ^3, ~3.1.0, 3.x or \">=3.0.0 <4.0.0\"",
    "prompt/house-style@": "`prompt/house-style@` has an empty version range after `@`",
    "prompt/x#y": "`prompt/x#y`: only mcp refs name a tool with `#`; remove `#y`",
    "team/support@^1": "`team/support@^1`: team refs take no version range; write team/support",
    "user/maria": "`user/maria` names a person; name a declaration instead",
    "prompt/nope": "prompt/nope is not declared; run `aireg ls` to see what is",
    "prompt/house-styl": "prompt/house-styl is not declared (did you mean prompt/house-style?); "
                         "run `aireg ls` to see what is",
    "prompt/house-style@1 - 2*": "`prompt/house-style@1 - 2*`: `1 - 2*` is not a version range; "
                                 "write one in npm syntax, such as 3.1.0, ^3, ~3.1.0, 3.x or "
                                 "\">=3.0.0 <4.0.0\"",
    "prompt/house-style@^9": "no version of prompt/house-style satisfies `^9`; declared: 2.4.0, "
                             "3.1.0",
}
REF_COMMANDS = ("show", "deps", "impact", "graph", "render")


@pytest.mark.parametrize("command", REF_COMMANDS)
@pytest.mark.parametrize(("ref", "message"), BAD_REFS.items(), ids=list(BAD_REFS))
def test_a_bad_ref_argument_exits_2(acme: Callable[..., Result], command: str, ref: str,
                                    message: str) -> None:
    assert acme(command, ref) == Result(2, "", error_line(message))


def test_a_range_on_an_unversioned_declaration_says_so(acme: Callable[..., Result]) -> None:
    assert acme("show", "model/gpt-4o-2024-08-06@^1") == Result(2, "", error_line(
        "model/gpt-4o-2024-08-06 is declared without a version, so `@^1` cannot match; remove "
        "the range"))


def test_a_ref_argument_with_an_unknown_tool_exits_2(acme: Callable[..., Result]) -> None:
    assert acme("show", "mcp/zendesk#nope") == Result(2, "", error_line(
        "mcp/zendesk@2.3.0 has no tool `nope`; its tools: search_tickets, get_ticket, "
        "create_ticket, add_internal_note"))


@pytest.mark.parametrize("command", list(COMMAND_FORMATS))
def test_a_bad_format_exits_2(acme: Callable[..., Result], command: str) -> None:
    choices = ", ".join(f"'{f.value}'" for f in COMMAND_FORMATS[command])
    result = acme(command, *VARIANTS[command][0][1], "--format", "bogus")
    assert result.code == 2
    assert result.out == ""
    assert result.err.endswith(
        f"Error: Invalid value for '--format': 'bogus' is not one of {choices}.\n")


def test_check_has_no_errors_on_the_example(acme: Callable[..., Result]) -> None:
    result = acme("check")
    assert result.code == 0
    assert result.out.endswith("Found 0 errors, 13 warnings, 3 infos in 54 declarations in 50 "
                               "files.\n")


PROMPT_USING = """\
    apiVersion: aireg/v1
    kind: Prompt
    metadata: {{name: p, version: 1.0.0, owner: team/platform}}
    spec:
      template: "{template}"
      includes: [{include}]
    """


def test_check_exits_1_on_an_error(aireg: Run, make_registry: Callable[..., Path]) -> None:
    root = make_registry({"p.yaml": PROMPT_USING.format(template="hi",
                                                        include="prompt/missing@^1")})
    result = aireg("-C", str(root), "check")
    assert (result.code, result.err) == (1, "")
    assert result.out == (
        "p.yaml:3:18: info[unused-artifact] nothing uses prompt/p@1.0.0; remove it if it is no "
        "longer needed\n"
        "p.yaml:6:14: error[dangling-ref] `prompt/missing@^1` names prompt/missing, which is not "
        "declared; declare it or fix the ref\n\n"
        "Found 1 error, 0 warnings, 1 info in 2 declarations in 3 files.\n")


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1)])
def test_check_fails_at_the_configured_severity(aireg: Run, make_registry: Callable[..., Path],
                                                fail_on: str, code: int) -> None:
    config = ("apiVersion: aireg/v1\nkind: Registry\nmetadata: {name: test}\n"
              f"spec:\n  policy: {{failOn: {fail_on}}}\n")
    root = make_registry({"p.yaml": PROMPT_USING.format(template="{{ who }}", include="")},
                         config=config)
    result = aireg("-C", str(root), "check", "--format", "json")
    assert result.code == code
    rules = [(f["rule"], f["severity"]) for f in json.loads(result.out)["findings"]]
    assert rules == [("unused-artifact", "info"), ("undeclared-variable", "warning")]


# --- start-up -----------------------------------------------------------------------------

HEAVY = ("networkx", "git", "cyclonedx", "jinja2", "ruamel")
IMPORTS_AFTER_MAIN = """\
import json, sys
from cli.main import main
sys.argv = ["aireg", {flag!r}]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_nothing_heavy(flag: str) -> None:
    done = subprocess.run([python(), "-c", IMPORTS_AFTER_MAIN.format(flag=flag)], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True)
    output = done.stdout.splitlines()
    assert output[0].startswith("Usage: aireg" if flag == "--help" else "aireg, version ")
    loaded = {name.partition(".")[0] for name in json.loads(output[-1])}
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


# --- global options after the command -----------------------------------------------------

GLOBAL_OPTIONS = {"-C", "--rev", "--today", "--now", "--no-cache", "--debug"}


def test_every_command_takes_the_global_options_after_it() -> None:
    import click

    from cli.main import cli

    def commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
        found = []
        for name, command in group.commands.items():
            found.append((prefix + name, command))
            if isinstance(command, click.Group):
                found += commands(command, f"{prefix}{name} ")
        return found

    cli.every_command()
    listed = commands(cli, "")
    assert len(listed) >= 13
    for name, command in listed:
        given = {opt for param in command.params for opt in param.opts}
        assert given >= GLOBAL_OPTIONS, name


SUNSET_REGISTRY = {
    "aireg.yaml": CONFIG,
    "teams/platform.yaml": TEAM,
    "p.yaml": """\
        apiVersion: aireg/v1
        kind: Prompt
        metadata:
          name: old
          version: 1.0.0
          owner: team/platform
          deprecation: {sunset: 2026-12-31}
        spec:
          template: hi
        ---
        apiVersion: aireg/v1
        kind: Feature
        metadata: {name: bot, owner: team/platform}
        spec:
          uses: [prompt/old@^1]
        """,
}
SUNSET_SOON = ("registry/p.yaml:15:10: warning[sunset-soon] feature/bot uses prompt/old@1.0.0, "
               "whose sunset day 2026-12-31 is in 30 days (firm day declared in "
               "metadata.deprecation); "
               "features hit through this ref: feature/bot\n\n"
               "Found 0 errors, 1 warning, 0 infos in 3 declarations in 3 files.\n")


@pytest.fixture
def sub_registry(git_repo: GitRepo) -> GitRepo:
    """A repository whose registry is in registry/ (the pre-commit case), committed."""
    git_repo.commit("Registry", {f"registry/{name}": text
                                 for name, text in SUNSET_REGISTRY.items()})
    return git_repo


def test_global_options_after_the_command(aireg: Run, sub_registry: GitRepo) -> None:
    root = sub_registry.root
    assert aireg("check", cwd=root) == Result(2, "", (
        f"aireg: error: no aireg.yaml in {root} or any folder above it: run aireg inside a "
        "registry, or point -C at the folder that holds aireg.yaml\n"))
    before = aireg("-C", "registry", "--today", "2026-12-01", "check", cwd=root)
    assert before == Result(0, SUNSET_SOON, "")
    assert aireg("check", "-C", "registry", "--today", "2026-12-01", cwd=root) == before
    # Options mix with the command's own, on either side of its arguments.
    assert aireg("check", "--today", "2026-12-01", "--format", "text", "-C", "registry",
                 cwd=root) == before
    assert aireg("impact", "prompt/old", "-C", "registry", cwd=root).out.splitlines()[0] == (
        "Impact of prompt/old@1.0.0: 1 dependent, 1 feature (highest tier: medium).")


def test_a_global_option_after_the_command_wins_over_the_one_before(
        aireg: Run, sub_registry: GitRepo) -> None:
    result = aireg("-C", "elsewhere", "--today", "2020-01-01", "check", "-C", "registry",
                   "--today", "2026-12-01", cwd=sub_registry.root)
    assert result == Result(0, SUNSET_SOON, "")


def test_rev_after_the_command_reads_the_revision(aireg: Run, sub_registry: GitRepo) -> None:
    root = sub_registry.root
    path = root / "registry" / "p.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[prompt/old@^1]", "[prompt/gone]"),
                    encoding="utf-8")
    assert aireg("check", "-C", "registry", "--today", "2026-12-01", cwd=root).code == 1
    assert aireg("check", "-C", "registry", "--rev", "HEAD", "--today", "2026-12-01",
                 cwd=root) == Result(0, SUNSET_SOON, "")
    assert aireg("bump", "prompt/old", "patch", "-C", "registry", "--rev", "HEAD",
                 cwd=root) == Result(2, "", "aireg: error: bump edits the files in the working "
                                            "tree; drop --rev\n")


# --- internal errors ----------------------------------------------------------------------


@pytest.fixture
def broken_loader(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """registry.load.load raises RuntimeError(request.param, or `boom`)."""
    import registry.load

    message = getattr(request, "param", "boom")

    def boom(*args: object) -> None:
        raise RuntimeError(message)

    monkeypatch.setattr(registry.load, "load", boom)


@pytest.mark.usefixtures("broken_loader")
def test_an_internal_error_exits_3_with_one_line(acme: Callable[..., Result]) -> None:
    assert acme("ls") == Result(3, "", "aireg: internal error: RuntimeError: boom (rerun with "
                                "--debug for the traceback, and report it)\n")


@pytest.mark.parametrize("broken_loader", ["first\n  second"], indirect=True)
@pytest.mark.usefixtures("broken_loader")
def test_an_internal_error_message_stays_on_one_line(acme: Callable[..., Result]) -> None:
    result = acme("ls")
    assert result.code == 3
    assert result.err.count("\n") == 1
    assert result.err.startswith("aireg: internal error: RuntimeError: first")


@pytest.mark.usefixtures("broken_loader")
@pytest.mark.parametrize("args", [("--debug", "ls"), ("ls", "--debug")],
                         ids=["before the command", "after the command"])
def test_an_internal_error_shows_the_traceback_with_debug(aireg: Run,
                                                          args: tuple[str, str]) -> None:
    result = aireg("-C", EXAMPLE_ARG, *args, cwd=REPO_ROOT)
    assert result.code == 3
    assert result.err.startswith("Traceback (most recent call last):\n")
    assert result.err.endswith("RuntimeError: boom\n")


# --- schemas ------------------------------------------------------------------------------


def generated_schemas() -> dict[str, str]:
    from registry.schema import schemas

    return schemas()


def test_schema_out_writes_every_schema(aireg: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    expected = generated_schemas()
    assert aireg("schema", "--out", str(out)) == Result(
        0, "", f"wrote {len(expected)} schemas to {out}\n")
    written = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}
    assert written == expected


def test_schema_prints_the_declaration_schema(aireg: Run) -> None:
    assert aireg("schema").out == generated_schemas()["declaration.schema.json"]


def test_schemas_folder_is_up_to_date() -> None:
    stale = "schemas/ is stale: run `aireg schema --out schemas` and commit the result"
    expected = generated_schemas()
    on_disk = {p.relative_to(SCHEMAS).as_posix(): p.read_text(encoding="utf-8")
               for p in SCHEMAS.rglob("*") if p.is_file()}
    assert sorted(on_disk) == sorted(expected), stale
    for name, text in expected.items():
        assert on_disk[name] == text, f"{name}: {stale}"


def iso_dates(value: Any) -> Any:
    """PyYAML reads 2027-01-31 as a date; JSON Schema sees the string YAML editors see."""
    if isinstance(value, dict):
        return {key: iso_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [iso_dates(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def example_documents() -> list[Any]:
    out = []
    for path in sorted(EXAMPLE.rglob("*.y*ml")):
        for index, doc in enumerate(yaml.safe_load_all(path.read_text(encoding="utf-8"))):
            if isinstance(doc, dict) and str(doc.get("apiVersion", "")).startswith("aireg/"):
                rel = path.relative_to(EXAMPLE).as_posix()
                out.append(pytest.param(iso_dates(doc), id=f"{rel}#{index}"))
    return out


@pytest.mark.parametrize("doc", example_documents())
def test_example_documents_match_the_schemas(doc: dict[str, Any]) -> None:
    name = "registry.schema.json" if doc["kind"] == "Registry" else "declaration.schema.json"
    validator(name).validate(doc)


def test_every_example_declaration_is_validated() -> None:
    assert len([d for d in example_documents() if d.values[0]["kind"] != "Registry"]) == 54


def test_the_declaration_schema_rejects_a_misspelt_key() -> None:
    team = {"apiVersion": "aireg/v1", "kind": "Team", "metadata": {"name": "x"},
            "spec": {"members": [], "contakt": "#x"}}
    assert not validator("declaration.schema.json").is_valid(team)


def test_the_command_table_names_each_command_s_module() -> None:
    """cli/commands' table, by which only the command being run is imported, lists every
    command of every module there, each at its own module."""
    import importlib
    import pkgutil

    from cli import commands

    found = {}
    for module in pkgutil.iter_modules(commands.__path__):
        for command in importlib.import_module(f"cli.commands.{module.name}").COMMANDS:
            found[command.name] = module.name
    assert found == commands.MODULES


def test_a_command_imports_only_its_own_module() -> None:
    import subprocess
    import sys

    code = ("import sys; from cli.main import main\n"
            "try:\n    main(['schema', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('cli.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[-1] == "['cli.commands.schema']"
