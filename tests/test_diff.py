"""`impact --base/--head` and `check --base` in real git repositories: what changed and how
(the change classes), what that reaches, the new findings, the pull-request comment (escaping,
the 60,000-character limit, the diagram), the version rules, and the errors."""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import os
import re
import shlex
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from conftest import (
    CONFIG,
    EXAMPLE,
    GIT_ENV,
    TEAM,
    GitRepo,
    Result,
    Run,
    check_golden,
    fingerprint,
    validate_output,
)

if TYPE_CHECKING:
    from registry.diff import PullReport

TODAY = "2026-11-21"
VERSION_RULES = ("version-not-bumped", "version-decreased", "removed-in-use")
MARKER = "<!-- aireg:impact -->"
LIMIT = 60_000
ZWSP = "\u200b"
NOTHING = f"{MARKER}\naireg: no AI declaration changed and no new findings.\n"


def validate(output: str, data: Any) -> None:
    """Check DATA against schemas/output/OUTPUT.schema.json."""
    validate_output(output, data)


def error(message: str) -> Result:
    return Result(2, "", f"aireg: error: {message}\n")


@dataclass
class PullRequest:
    """A registry committed on `main` with the branch `feature` checked out; edits go to the
    work tree, and `aireg` runs against it (head = the work tree unless --head says not)."""

    repo: GitRepo
    aireg: Run

    def run(self, *args: str) -> Result:
        return self.aireg("-C", str(self.repo.root), "--today", TODAY, *args)

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace the one occurrence of OLD in the work-tree file REL."""
        path = self.repo.root / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def label(self, rev: str) -> str:
        """How the report names a revision: the name and the commit's first 12 digits."""
        return f"{rev} ({self.repo.git('rev-parse', rev).strip()[:12]})"

    def impact(self, *args: str, fmt: str = "json") -> str:
        result = self.run("impact", "--base", "main", *args, "--format", fmt)
        assert (result.code, result.err) == (0, ""), result.err
        return result.out

    def report(self, *args: str) -> dict[str, Any]:
        data = json.loads(self.impact(*args))
        validate("impact-base", data)
        return data

    def changes(self, *args: str) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.report(*args)["changes"]}

    def comment(self) -> str:
        return self.impact(fmt="markdown")

    def version_findings(self) -> tuple[int, list[dict[str, Any]]]:
        """`check --base main`: the exit code and the findings of the version rules."""
        result = self.run("check", "--base", "main", "--format", "json")
        findings = json.loads(result.out)["findings"]
        return result.code, [f for f in findings if f["rule"] in VERSION_RULES]


def open_pull_request(repo: GitRepo, aireg: Run) -> PullRequest:
    repo.commit("Import the registry")
    repo.git("checkout", "-q", "-b", "feature")
    return PullRequest(repo, aireg)


@pytest.fixture
def acme_pr(git_repo: GitRepo, aireg: Run) -> PullRequest:
    """examples/acme committed on main (2026-01-01), the branch `feature` checked out."""
    shutil.copytree(EXAMPLE, git_repo.root, dirs_exist_ok=True)
    return open_pull_request(git_repo, aireg)


@pytest.fixture
def make_pr(git_repo: GitRepo, aireg: Run) -> Callable[[dict[str, str]], PullRequest]:
    """A registry of FILES (plus aireg.yaml and the platform team) as a pull request."""

    def make(files: dict[str, str]) -> PullRequest:
        git_repo.write({"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM, **files})
        return open_pull_request(git_repo, aireg)

    return make


def decl(kind: str, name: str, spec: dict[str, Any], version: str | None = None,
         owner: str | None = "team/platform", **metadata: Any) -> str:
    """One declaration as YAML."""
    meta: dict[str, Any] = {"name": name}
    meta |= {"version": version} if version else {}
    meta |= {"owner": owner} if owner else {}
    document = {"apiVersion": "aireg/v1", "kind": kind, "metadata": meta | metadata,
                "spec": spec}
    return yaml.safe_dump(document, sort_keys=False, width=100_000, allow_unicode=True)


def documents(*texts: str) -> str:
    return "---\n".join(texts)


def not_bumped(node: str, what: str, path: str, line: int, column: int) -> dict[str, Any]:
    """The version-not-bumped finding of an edit in place of NODE."""
    return {"rule": "version-not-bumped", "severity": "error",
            "message": f"{node} changed ({what}) but its version did not; give it a new "
                       f"version (aireg bump {node} patch|minor|major)",
            "path": path, "line": line, "column": column, "subject": node,
            "field": "metadata.version",
            "fingerprint": fingerprint("version-not-bumped", node, "metadata.version")}


def classed(change: dict[str, Any]) -> list[tuple[str, str]]:
    """A change's fields as (field, class)."""
    return [(f["field"], f["class"]) for f in change["fields"]]


# --- the acme example: a branch that edits house-style 3.1.0 ------------------------------

KINDER = ("prompts/house-style.yaml", "Be direct and warm.", "Be direct and kind.")


@pytest.fixture
def kinder(acme_pr: PullRequest) -> PullRequest:
    """The branch commits an edit of the house-style 3.1.0 template text."""
    acme_pr.edit(*KINDER)
    acme_pr.repo.commit("Kinder house style")
    return acme_pr


@pytest.mark.parametrize("fmt", ["markdown", "json", "text"])
def test_house_style_edit_golden(request: pytest.FixtureRequest, kinder: PullRequest,
                                 fmt: str) -> None:
    out = kinder.impact(fmt=fmt)
    if fmt == "json":
        validate("impact-base", json.loads(out))
    extension = {"markdown": "md", "json": "json", "text": "txt"}[fmt]
    check_golden(request, f"pr-house-style.{extension}", out)


def test_house_style_comment_names_every_feature_with_its_path_and_owner(
        kinder: PullRequest) -> None:
    lines = kinder.comment().splitlines()
    assert lines[0] == MARKER
    assert lines[1] == ("aireg: **3 features affected**, highest tier **critical**, "
                        "1 changed declaration, 1 new error.")
    assert ("| `prompt/house-style@3.1.0` | modified | behavior | `feature/onboarding-agent`"
            "<br>`feature/search-assistant`<br>`feature/support-bot` | team/growth<br>team/search"
            "<br>team/support |"
            " `dev-us` → `staging-eu` → `prod-ap` → `prod-eu` → `prod-us` |") in lines
    for feature, tier, owner, via in [
            ("support-bot", "critical", "team/support", "support-triage@1.4.0"),
            ("search-assistant", "high", "team/search", "search-answer@3.0.0"),
            ("onboarding-agent", "medium", "team/growth", "onboarding-checklist@2.0.0")]:
        assert (f"| `feature/{feature}` | {tier} | {owner} | `feature/{feature}` → *uses* "
                f"`prompt/{via}` → *includes* `prompt/house-style@3.1.0` |") in lines


def test_house_style_report_lists_the_change_features_owners_and_evals(
        kinder: PullRequest) -> None:
    report = kinder.report()
    assert (report["base"], report["head"]) == (kinder.label("main"), "the working tree")
    assert report["changes"] == [{
        "id": "prompt/house-style@3.1.0", "previous": None, "kind": "Prompt",
        "change": "modified", "reasons": ["modified"], "classes": ["behavior"],
        "fields": [{"field": "spec.template", "class": "behavior",
                    "before": house_style_310(kinder, "main"),
                    "after": house_style_310(kinder, "feature")}],
        "resolutions": [], "detail": "",
        "features": ["feature/onboarding-agent", "feature/search-assistant",
                     "feature/support-bot"],
        "owners": ["team/growth", "team/search", "team/support"],
        # Every environment pins house-style@^3: the edit rolls out to each, in stage order.
        "environments": ALL_ENVIRONMENTS}]
    assert report["highestTier"] == "critical"
    assert [(f["id"], f["tier"], f["owner"]) for f in report["features"]] == [
        ("feature/support-bot", "critical", "team/support"),
        ("feature/search-assistant", "high", "team/search"),
        ("feature/onboarding-agent", "medium", "team/growth")]
    assert report["evals"] == ["eval/house-style-voice@1.0.0", "eval/onboarding-smoke@1.0.0",
                               "eval/search-relevance@2.0.0", "eval/support-regression@1.0.0"]
    # An edit in place is what `check --base` rejects: the comment says so too.
    assert report["newFindings"] == [not_bumped(
        "prompt/house-style@3.1.0", "behavior: spec.template", HOUSE, 27, 12)]


ALL_ENVIRONMENTS = ["dev-us", "staging-eu", "prod-ap", "prod-eu", "prod-us"]


def house_style_310(pr: PullRequest, rev: str) -> str:
    """The template text of house-style 3.1.0 at a revision."""
    text = pr.repo.git("show", f"{rev}:{HOUSE}")
    document = next(d for d in yaml.safe_load_all(text) if d["metadata"]["version"] == "3.1.0")
    template: str = document["spec"]["template"]
    return template


# --- head: the work tree, or a revision -----------------------------------------------------


def work_tree_state(repo: GitRepo) -> tuple[str, str, dict[str, bytes]]:
    files = {p.relative_to(repo.root).as_posix(): p.read_bytes()
             for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts}
    return repo.git("rev-parse", "HEAD"), repo.git("status", "--porcelain"), files


KINDER_ESCALATIONS = ("prompts/escalation-summary.yaml", "Be terse and factual.",
                      "Be terse, factual and kind.")


def test_head_compares_two_commits_without_touching_the_work_tree(kinder: PullRequest) -> None:
    kinder.edit(*KINDER_ESCALATIONS)  # uncommitted, as is the new file: not in --head feature
    kinder.repo.write({"prompts/untracked.yaml": decl("Prompt", "untracked", {"template": "x"},
                                                      version="1.0.0")})
    before = work_tree_state(kinder.repo)
    report = kinder.report("--head", "feature")
    assert (report["base"], report["head"]) == (kinder.label("main"), kinder.label("feature"))
    assert [c["id"] for c in report["changes"]] == ["prompt/house-style@3.1.0"]
    assert [f["rule"] for f in report["newFindings"]] == ["version-not-bumped"]
    assert work_tree_state(kinder.repo) == before


def test_head_defaults_to_the_work_tree_with_its_uncommitted_edits(kinder: PullRequest) -> None:
    kinder.edit(*KINDER_ESCALATIONS)
    report = kinder.report()
    assert report["head"] == "the working tree"
    assert [(c["id"], classed(c)) for c in report["changes"]] == [
        ("prompt/escalation-summary@1.0.2", [("spec.template", "behavior")]),
        ("prompt/house-style@3.1.0", [("spec.template", "behavior")])]


def test_head_can_be_any_two_commits(kinder: PullRequest) -> None:
    """Base and head both revisions, head older than the work tree's HEAD."""
    kinder.edit(*KINDER_ESCALATIONS)
    kinder.repo.commit("Kinder escalations")
    report = kinder.report("--head", "HEAD~1")
    assert [c["id"] for c in report["changes"]] == ["prompt/house-style@3.1.0"]


# --- resolution: a new version moves the consumers of a range --------------------------------

HOUSE_STYLE_320 = decl("Prompt", "house-style", {"template": "Acme voice, v3.2\n"},
                       version="3.2.0", description="Voice and tone, v3.2")


def test_a_new_minor_version_moves_the_consumers_of_its_range(acme_pr: PullRequest) -> None:
    acme_pr.repo.write({"prompts/house-style-3.2.yaml": HOUSE_STYLE_320})
    report = acme_pr.report()
    moved = "now resolves to prompt/house-style@3.2.0 (was prompt/house-style@3.1.0)"
    all_three = ["feature/onboarding-agent", "feature/search-assistant", "feature/support-bot"]
    assert [(c["id"], c["change"], c["classes"], c["detail"], c["features"])
            for c in report["changes"]] == [
        *[(f"env/{env}", "resolution", ["pin"], f"prompt/house-style@^3 {moved}", [])
          for env in ("dev-us", "prod-ap", "prod-eu", "prod-us", "staging-eu")],
        ("eval/house-style-voice@1.0.0", "resolution", ["pin"],
         f"prompt/house-style@^3 {moved}", []),
        ("prompt/house-style@3.2.0", "added", ["behavior", "metadata"], "", all_three),
        ("prompt/onboarding-checklist@2.0.0", "resolution", ["pin"],
         f"prompt/house-style@^3 {moved}", ["feature/onboarding-agent"]),
        ("prompt/search-answer@3.0.0", "resolution", ["pin"],
         f"prompt/house-style@^3.1 {moved}", ["feature/onboarding-agent",
                                              "feature/search-assistant"]),
        ("prompt/support-triage@1.4.0", "resolution", ["pin"],
         f"prompt/house-style@^3 {moved}", ["feature/support-bot"]),
    ]
    by_id = {c["id"]: c for c in report["changes"]}
    # An environment's own change rolls out to it; the new version, to every environment
    # whose deploys now resolve to it.
    assert by_id["env/prod-ap"]["environments"] == ["prod-ap"]
    assert by_id["prompt/house-style@3.2.0"]["environments"] == ALL_ENVIRONMENTS
    # Added beside 3.1.0, which stays: compared with it.
    added = by_id["prompt/house-style@3.2.0"]
    assert (added["previous"], added["reasons"], classed(added)) == (
        "prompt/house-style@3.1.0", ["added"],
        [("metadata.description", "metadata"), ("metadata.labels.tier", "metadata"),
         ("spec.template", "behavior")])
    assert [(f["before"], f["after"]) for f in added["fields"][:2]] == [
        ("Voice and tone preamble shared by customer-facing assistants (v3 voice guide)",
         "Voice and tone, v3.2"), ("shared", None)]
    assert by_id["eval/house-style-voice@1.0.0"]["resolutions"] == [{
        "field": "spec.covers", "ref": "prompt/house-style@^3",
        "before": "prompt/house-style@3.1.0", "after": "prompt/house-style@3.2.0"}]
    assert sorted(f["id"] for f in report["features"]) == all_three
    # Consumers of ^2 are not moved.
    dependents = {d["id"] for d in report["dependents"]}
    assert dependents.isdisjoint({"prompt/support-reply@2.1.0", "prompt/onboarding-welcome@1.1.0"})


def test_a_resolution_change_is_shown_in_the_comment(acme_pr: PullRequest) -> None:
    acme_pr.repo.write({"prompts/house-style-3.2.yaml": HOUSE_STYLE_320})
    lines = acme_pr.comment().splitlines()
    assert lines[1].startswith("aireg: **3 features affected**, highest tier **critical**, "
                               "1 changed declaration, 9 resolving differently")
    assert ("| `prompt/support-triage@1.4.0` | resolution | pin | `feature/support-bot` | "
            "team/support | `dev-us` → `staging-eu` → `prod-ap` → `prod-eu` → `prod-us` |"
            ) in lines
    assert (f"- `prompt/support-triage@1.4.0`: prompt/house\\-style@{ZWSP}^3 now resolves to "
            f"prompt/house\\-style@{ZWSP}3\\.2\\.0 \\(was prompt/house\\-style@{ZWSP}3\\.1\\.0\\)"
            ) in lines


# --- the change classes -----------------------------------------------------------------------

TRIAGE = "prompts/support-triage.yaml"
TRIAGE_J2 = "prompts/templates/support-triage.j2"
HOUSE = "prompts/house-style.yaml"
# name -> (edit, the node it changes, its changed fields with their classes)
EDITS: dict[str, tuple[tuple[str, str, str], str, list[tuple[str, str]]]] = {
    "template": (KINDER, "prompt/house-style@3.1.0", [("spec.template", "behavior")]),
    "template-file": (
        (TRIAGE_J2, "Reply with JSON only", "Reply with one JSON object only"),
        "prompt/support-triage@1.4.0", [(f"template file {TRIAGE_J2}", "behavior")]),
    "template-whitespace": (
        (HOUSE, "Be direct and warm.", "Be direct  and\n    warm."),
        "prompt/house-style@3.1.0", [("spec.template", "cosmetic")]),
    "template-file-whitespace": (
        (TRIAGE_J2, "Reply with JSON only", "Reply  with JSON\n\nonly"),
        "prompt/support-triage@1.4.0", [(f"template file {TRIAGE_J2}", "cosmetic")]),
    "description": (
        (HOUSE, "(v3 voice guide)", "(v3 voice guide, 2026 edition)"),
        "prompt/house-style@3.1.0", [("metadata.description", "metadata")]),
    "labels": (
        ("features/support-bot.yaml", "{surface: in-app-chat}", "{surface: web-chat}"),
        "feature/support-bot", [("metadata.labels.surface", "metadata")]),
    "owner": (
        ("prompts/escalation-summary.yaml", "owner: user/dev-lee", "owner: team/support"),
        "prompt/escalation-summary@1.0.2", [("metadata.owner", "metadata")]),
    "deprecation": (
        (HOUSE, "(v2 voice guide)\n", "(v2 voice guide)\n  deprecation:\n    sunset: 2027-03-31"
         "\n    replacement: prompt/house-style@^3\n"),
        "prompt/house-style@2.4.0", [("metadata.deprecation.replacement", "lifecycle"),
                                     ("metadata.deprecation.sunset", "lifecycle")]),
    "model-id": (
        ("models/openai.yaml", "modelId: gpt-4o-2024-08-06", "modelId: gpt-4o-2024-11-20"),
        "model/gpt-4o-2024-08-06", [("spec.modelId", "pin")]),
    "include-ref": (
        (TRIAGE, "includes: [prompt/house-style@^3]", "includes: [prompt/house-style@^3.1]"),
        "prompt/support-triage@1.4.0", [("spec.includes", "pin")]),
    "model-ref": (
        (TRIAGE, "model: model/claude-sonnet-4-5-20250929", "model: model/gpt-4o-2024-08-06"),
        "prompt/support-triage@1.4.0", [("spec.model", "pin")]),
    "variables": (
        (TRIAGE, "ticket_body, recent_tickets]", "ticket_body, recent_tickets, locale]"),
        "prompt/support-triage@1.4.0", [("spec.variables", "interface")]),
    "tools": (
        (TRIAGE, "tools: [mcp/zendesk@^2#search_tickets]",
         "tools: [mcp/zendesk@^2#search_tickets, mcp/zendesk@^2#create_ticket]"),
        "prompt/support-triage@1.4.0", [("spec.tools", "interface")]),
}
NEEDS_BUMP = ("template", "template-file", "include-ref", "model-ref", "variables", "tools")
IN_PLACE = ("template-whitespace", "template-file-whitespace", "description", "deprecation",
            "owner")


@pytest.mark.parametrize("name", list(EDITS))
def test_each_edit_is_one_modified_change_of_its_class(acme_pr: PullRequest, name: str) -> None:
    edit, node, fields = EDITS[name]
    acme_pr.edit(*edit)
    changes = acme_pr.changes()
    assert list(changes) == [node]
    change = changes[node]
    assert change["change"] == "modified"
    assert classed(change) == fields
    assert change["classes"] == sorted({cls for _, cls in fields})


def test_a_template_file_edit_reaches_the_features_of_its_prompt(acme_pr: PullRequest) -> None:
    acme_pr.edit(*EDITS["template-file"][0])
    assert acme_pr.impact(fmt="text").splitlines()[1:3] == [
        "  modified    prompt/support-triage@1.4.0",
        f"              template file {TRIAGE_J2}: +1 -1 lines (behavior)"]
    change = acme_pr.changes()["prompt/support-triage@1.4.0"]
    assert change["features"] == ["feature/support-bot"]


def test_a_removed_declaration_takes_its_dependents_from_the_base_graph(
        acme_pr: PullRequest) -> None:
    (acme_pr.repo.root / "prompts" / "escalation-summary.yaml").unlink()
    report = acme_pr.report()
    assert report["changes"] == [{
        "id": "feature/support-bot", "previous": None, "kind": "Feature",
        "change": "resolution", "reasons": ["resolution"], "classes": ["pin"], "fields": [],
        "resolutions": [{"field": "spec.uses", "ref": "prompt/escalation-summary@^1",
                         "before": "prompt/escalation-summary@1.0.2", "after": None}],
        "detail": "prompt/escalation-summary@^1 now resolves to nothing (was "
                  "prompt/escalation-summary@1.0.2)",
        "features": ["feature/support-bot"], "owners": ["team/support"],
        "environments": ALL_ENVIRONMENTS}, {
        "id": "prompt/escalation-summary@1.0.2", "previous": None, "kind": "Prompt",
        "change": "removed", "reasons": ["removed"], "classes": [], "fields": [],
        "resolutions": [], "detail": "", "features": ["feature/support-bot"],
        "owners": ["team/support"], "environments": ALL_ENVIRONMENTS}]
    # Head has no escalation-summary: what reaches it is read from base.
    assert "escalation-summary" not in acme_pr.run("ls").out
    assert [d["id"] for d in report["dependents"]] == [
        "feature/support-bot", "prompt/escalation-summary@1.0.2",
        *(f"env/{env}" for env in ("dev-us", "prod-ap", "prod-eu", "prod-us", "staging-eu")),
        "eval/support-regression@1.0.0"]
    assert [f["id"] for f in report["features"]] == ["feature/support-bot"]
    # The feature still refers to it: one removed-in-use error at the ref (it explains the
    # dangling ref there, which is not listed beside it).
    ref = "prompt/escalation-summary@^1"
    assert report["newFindings"][0] == {
        "rule": "removed-in-use", "severity": "error",
        "message": f"`{ref}` resolved to prompt/escalation-summary@1.0.2, which this change "
                   "removes with no successor; keep prompt/escalation-summary@1.0.2, or remove "
                   "the ref (no version of prompt/escalation-summary is declared now)",
        "path": "features/support-bot.yaml", "line": 14, "column": 7,
        "subject": "feature/support-bot", "field": "spec.uses",
        "fingerprint": fingerprint("removed-in-use", "feature/support-bot", "spec.uses", ref)}
    assert [(f["rule"], f["path"]) for f in report["newFindings"]] == [
        ("removed-in-use", "features/support-bot.yaml"),
        ("unused-artifact", "models/anthropic.yaml")]  # the model only it used


def test_a_comment_only_edit_changes_nothing(acme_pr: PullRequest) -> None:
    acme_pr.edit(HOUSE, "# The shared voice-and-tone preamble.",
                 "# The shared voice-and-tone preamble (comments are not content).")
    assert acme_pr.comment() == NOTHING
    assert acme_pr.impact(fmt="text") == (
        f"No declaration changed between {acme_pr.label('main')} and the working tree, and "
        "there are no new findings.\n")
    report = acme_pr.report()
    assert (report["changes"], report["newFindings"], report["dependents"]) == ([], [], [])


def test_nothing_changed_is_the_marker_and_one_line(acme_pr: PullRequest) -> None:
    assert acme_pr.comment() == NOTHING


# --- new findings -----------------------------------------------------------------------------

DIGEST = "prompts/weekly-digest.yaml"


def test_a_finding_already_on_base_is_not_new_even_when_its_line_moved(
        acme_pr: PullRequest) -> None:
    acme_pr.edit(DIGEST, "apiVersion:", "# DATA-212: moving to gpt-5.5\n#\napiVersion:")
    result = acme_pr.run("check", "--format", "json")
    assert [(f["line"]) for f in json.loads(result.out)["findings"]
            if f["rule"] == "sunset-passed" and f["path"].endswith(DIGEST)] == [25]  # was 23
    assert acme_pr.comment() == NOTHING


def test_a_finding_the_branch_introduces_is_listed(acme_pr: PullRequest) -> None:
    acme_pr.edit(DIGEST, "apiVersion:", "# DATA-212: moving to gpt-5.5\n#\napiVersion:")
    acme_pr.edit("features/ticket-insights.yaml", "prompt/weekly-digest@^1",
                 "prompt/weekly-digest")
    report = acme_pr.report()
    assert report["newFindings"] == [{
        "rule": "unpinned-ref", "severity": "warning",
        "message": "`prompt/weekly-digest` has no version range, so it follows every new "
                   "version, majors included; pin it, such as prompt/weekly-digest@^1",
        "path": "features/ticket-insights.yaml", "line": 13, "column": 7,
        "subject": "feature/ticket-insights", "field": "spec.uses",
        "fingerprint": fingerprint("unpinned-ref", "feature/ticket-insights", "spec.uses",
                                   "prompt/weekly-digest")}]
    comment = acme_pr.comment()
    assert comment.splitlines()[1] == ("aireg: **1 feature affected**, highest tier **low**, "
                                       "1 changed declaration, no new errors.")
    assert ("<details><summary>New findings (1)</summary>\n\n- **warning** `unpinned-ref` "
            "`features/ticket-insights.yaml:13:7`: \\`prompt/weekly\\-digest\\` has no version "
            "range, so it follows every new version, majors included; pin it, such as "
            f"prompt/weekly\\-digest@{ZWSP}^1\n</details>\n") in comment


def test_a_warning_that_became_an_error_is_a_new_error(acme_pr: PullRequest) -> None:
    acme_pr.edit("aireg.yaml", "sunset-passed: warning", "sunset-passed: error")
    assert acme_pr.run("check").code == 1
    assert acme_pr.comment().splitlines()[1].endswith(", 1 new error.")


def test_a_new_error_is_counted_in_the_verdict(acme_pr: PullRequest) -> None:
    (acme_pr.repo.root / "prompts" / "escalation-summary.yaml").unlink()
    assert acme_pr.comment().splitlines()[1] == (
        "aireg: **1 feature affected**, highest tier **critical**, 1 changed declaration, "
        "1 resolving differently, 1 new error.")


# --- hostile strings in the pull-request comment --------------------------------------------

# Bidi overrides and isolates, a zero-width space, a byte order mark, a soft hyphen.
HIDDEN = "\u202egnp.exe\u202c \u2066x\u2069 a\u200bb\ufeff\u00ad"
HOSTILE = ("</details><details open> <!-- x --> @octocat @acme/security #123 "
           "[x](javascript:alert(1)) ![p](https://evil.example/p.png) | `tick` `` "
           f"``` ~~~ <!-- aireg:impact --> {HIDDEN}")
# How a code span shows HOSTILE: as written, but the hidden characters escaped and the
# marker's words apart.
AS_CODE = (HOSTILE.replace(HIDDEN, r"\u202egnp.exe\u202c \u2066x\u2069 a\u200bb\ufeff\u00ad")
           .replace("aireg:impact", "aireg" + ZWSP + ":impact"))
# How a reader sees HOSTILE in prose: that, and no mention, reference, link or autolink.
SHOWN = (AS_CODE.replace("@", "@" + ZWSP).replace("#1", "#" + ZWSP + "1")
         .replace("javascript:", "javascript" + ZWSP + ":").replace("https:", "https" + ZWSP + ":"))
# A file name can carry most of it too.
HOSTILE_PATH = "prompts/q ``` </details> <!-- aireg:impact --> @octocat #1 \u202e.yaml"
SOURCE = {"uri": "s3://data/d/1.0.0/", "digest": "sha256:" + "a" * 64}


def hostile_registry(hostile: bool) -> dict[str, str]:
    """A team, a prompt, a feature and an eval; with HOSTILE, the repository strings a
    comment shows (team contact, description, label, eval command, finding messages from a
    dataset license and an owner handle) all carry it."""
    text = HOSTILE if hostile else "plain"
    files = {
        "teams/platform.yaml": decl("Team", "platform", {
            "members": ["maria"], "contact": text}, owner=None),
        "prompts/p.yaml": decl("Prompt", "p", {"template": f"Hello, {text}\n"},
                               version="1.0.0", description=text, labels={text: text}),
        "features/f.yaml": decl("Feature", "f", {
            "tier": "high", "uses": ["prompt/p@^1", *(["dataset/d@^1"] if hostile else [])]}),
        "evals/e.yaml": decl("Eval", "e", {"covers": ["feature/f"], "command": text},
                             version="1.0.0"),
    }
    if hostile:
        files["datasets/d.yaml"] = decl("Dataset", "d", {
            "source": SOURCE, "license": HOSTILE, "classification": "internal"},
            version="1.0.0")
        files["prompts/o.yaml"] = decl("Prompt", "o", {"template": "hi"}, version="1.0.0",
                                       owner="user/" + HOSTILE)
        files[HOSTILE_PATH] = decl("Prompt", "q", {"template": "hi"}, version="1.0.0",
                                   owner="team/nobody")
    return files


class Rendered(html.parser.HTMLParser):
    """What GitHub's Markdown makes of a comment: tags, comments, prose and table rows."""

    def __init__(self, markdown: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []
        self.prose: list[str] = []  # text outside <code> and <pre>
        self.codes: list[str] = []  # the text of each <code>
        self.rows: list[list[str]] = []  # each table row's cells
        self.notes: list[tuple[int, int]] = []  # sections and code open at each note
        self.deepest = 0  # the most <details> open at once
        self._code = 0
        self._details = 0
        self._cell: list[str] | None = None
        import cmarkgfm

        # UNSAFE keeps raw HTML as GitHub does (before its sanitizer, which lets <details
        # open>, <img> and comments through): an injection shows up here.
        self.html = cmarkgfm.github_flavored_markdown_to_html(
            markdown, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
        self.feed(self.html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "details":
            self._details += 1
            self.deepest = max(self.deepest, self._details)
        if tag in ("code", "pre"):
            self._code += 1
            self.codes.append("")
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self._details -= 1
            assert self._details >= 0, "a </details> the comment did not open"
        if tag in ("code", "pre"):
            self._code -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if "to fit GitHub's comment limit" in data:
            self.notes.append((self._details, self._code))
        if self._cell is not None:
            self._cell.append(data)
        if self._code:
            self.codes[-1] += data
        else:
            self.prose.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def table_cells(row: str) -> int:
    """The cells of a GFM table row: it splits on every `|` not escaped by a backslash (in
    code spans too)."""
    pipes, index = 0, 0
    while index < len(row):
        if row[index] == "\\":
            index += 2
            continue
        pipes += row[index] == "|"
        index += 1
    return pipes - 1


def markdown_tables(markdown: str) -> list[list[str]]:
    """The rows of each table (runs of lines that start with `|`)."""
    tables: list[list[str]] = []
    previous = False
    for line in markdown.splitlines():
        row = line.startswith("|")
        if row and not previous:
            tables.append([])
        if row:
            tables[-1].append(line)
        previous = row
    return tables


@pytest.fixture
def hostile_pr(make_pr: Callable[[dict[str, str]], PullRequest]) -> PullRequest:
    pr = make_pr(hostile_registry(False))
    pr.repo.write(hostile_registry(True))
    return pr


def test_hostile_strings_reach_the_comment(hostile_pr: PullRequest) -> None:
    """The case is real: each hostile string is in the report."""
    report = hostile_pr.report()
    assert [o["contacts"] for o in report["owners"]] == [[], [HOSTILE]]
    messages = [f["message"] for f in report["newFindings"]
                if f["rule"] != "version-not-bumped"]
    assert [(f["rule"], f["path"]) for f in report["newFindings"]] == [
        ("dataset-license", "datasets/d.yaml"), ("version-not-bumped", "evals/e.yaml"),
        ("schema", "prompts/o.yaml"), ("version-not-bumped", "prompts/p.yaml"),
        ("unused-artifact", HOSTILE_PATH), ("unknown-owner", HOSTILE_PATH)]
    assert all(HOSTILE in m for m in messages[1:2])
    assert all("</details><details open> <!-- x --> @octocat" in m for m in messages[:2])
    comment = hostile_pr.comment()
    assert comment.count("@" + ZWSP + "octocat") == 4  # contact and two messages (one twice)


def test_hostile_strings_are_inert_in_the_comment(request: pytest.FixtureRequest,
                                                  hostile_pr: PullRequest) -> None:
    comment = hostile_pr.comment()
    check_golden(request, "pr-hostile.md", comment)
    page = assert_inert(comment, sections=7, diagram=True, diffs=1)
    # Every row of a table has its header's cells, and the contact shows as written.
    tables = markdown_tables(comment)
    assert [len(rows) for rows in tables] == [8, 3, 4]
    assert ["team/platform", SHOWN, "3"] in page.rows


def assert_inert(comment: str, sections: int, diagram: bool, diffs: int = 0) -> Rendered:
    """What the hostile strings must not do to a comment, however much of it was left out:
    inject HTML, links, mentions or references, hide characters, repeat the marker, or break
    a table, a section or a fence the comment did not make; the note on what was left out,
    if any, is the last paragraph, outside every section and code block."""
    assert comment.startswith(MARKER + "\n")
    assert comment.lower().count("aireg:impact") == 1
    hidden = {ch for ch in comment if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")}
    assert hidden <= {"\n", ZWSP}  # the renderer's own zero-width spaces only
    page = Rendered(comment)
    assert "<details open" not in page.html
    assert "<img" not in page.html
    assert "<a " not in page.html
    assert page.comments == [" aireg:impact "]
    # Only the comment's own sections: <details> opened and closed as written, no attributes,
    # never nested; the only code block is the diagram.
    assert [attrs for tag, attrs in page.tags if tag == "details"] == [[]] * sections
    assert page.html.count("</details>") == sections
    assert page.deepest == min(sections, 1)
    assert page.html.count("<pre") == int(diagram) + diffs
    prose = "".join(page.prose)
    assert re.findall(f"@(?!{ZWSP})", prose) == []
    assert re.findall(r"#\d", prose) == []
    assert "javascript:" not in prose and "https://" not in prose
    for rows in markdown_tables(comment):
        assert [table_cells(row) for row in rows] == [table_cells(rows[0])] * len(rows)
    if "Left out to fit" in comment:
        last = comment.splitlines()[-1]
        assert last.startswith("*Left out to fit GitHub's comment limit: ")
        assert page.notes == [(0, 0)]
        assert page.html.endswith("for the full report.</em></p>\n")
    return page


def test_an_eval_command_shows_as_written(hostile_pr: PullRequest) -> None:
    page = Rendered(hostile_pr.comment())
    assert AS_CODE in page.codes


def test_a_file_name_shows_as_written(hostile_pr: PullRequest) -> None:
    page = Rendered(hostile_pr.comment())
    shown = (HOSTILE_PATH.replace("\u202e", r"\u202e")
             .replace("aireg:impact", "aireg" + ZWSP + ":impact"))
    assert f"{shown}:6:10" in page.codes


# --- the 60,000-character limit and the diagram ---------------------------------------------

CORE = decl("Prompt", "core", {"template": "Be brief.\n"}, version="1.0.0")
BRIEFER = ("prompts/core.yaml", "Be brief.", "Be very brief.")


def padded(prefix: str, index: int, length: int) -> str:
    return f"{prefix}-{index:04d}".ljust(length, "x")


def fan_out(features: int, length: int = 12, evals: int = 0) -> dict[str, str]:
    """prompt/core, FEATURES features that use it and EVALS evals that cover one feature each;
    names padded to LENGTH characters."""
    files = {"prompts/core.yaml": CORE, "features/all.yaml": documents(*(
        decl("Feature", padded("f", i, length), {"uses": ["prompt/core@^1"]})
        for i in range(features)))}
    if evals:
        files["evals/all.yaml"] = documents(*(
            decl("Eval", padded("e", i, length), {
                "covers": [f"feature/{padded('f', i, length)}"], "command": f"run {i}"},
                version="1.0.0") for i in range(evals)))
    return files


@pytest.mark.parametrize(("features", "diagram"), [(29, True), (30, False)],
                         ids=["30-nodes", "31-nodes"])
def test_the_diagram_shows_a_blast_radius_of_at_most_30_nodes(
        make_pr: Callable[[dict[str, str]], PullRequest], features: int, diagram: bool) -> None:
    pr = make_pr(fan_out(features))
    pr.edit(*BRIEFER)
    comment = pr.comment()
    assert len(pr.report()["dependents"]) == features + 1
    assert ("```mermaid" in comment) is diagram
    if diagram:
        assert len(diagram_nodes(comment)) == 30
    assert "Left out" not in comment


def diagram_nodes(text: str) -> list[str]:
    """The node lines of a Mermaid flowchart (`  n0["prompt/core@1.0.0"]`, not the edges)."""
    return re.findall(r"^  n\d+[\[({>].*$", text, re.MULTILINE)


def blast_radius(comment: str) -> str:
    start = comment.index("<details><summary>Blast radius</summary>")
    return comment[start:comment.index("</details>\n", start) + len("</details>\n")]


def test_a_comment_just_over_the_limit_drops_only_the_diagram(
        make_pr: Callable[[dict[str, str]], PullRequest]) -> None:
    pr = make_pr(fan_out(28))
    pr.edit(*BRIEFER)

    def add_eval(command: str) -> str:
        pr.repo.write({"evals/long.yaml": decl(
            "Eval", "long", {"covers": ["prompt/core@^1"], "command": command},
            version="1.0.0")})
        return pr.comment()

    full = add_eval("x")
    diagram = blast_radius(full)
    assert len(diagram_nodes(diagram)) == 30  # the diagram is there: it is what must go
    # The eval's command grows the comment past the limit by half the diagram.
    comment = add_eval("x" * (1 + LIMIT - len(full) + len(diagram) // 2))
    assert len(comment) <= LIMIT
    assert comment.startswith(MARKER + "\n")
    assert "```mermaid" not in comment
    assert "→ *uses*" in comment  # the paths stay
    assert ("\n*Left out to fit GitHub's comment limit: the diagram. Run `aireg impact --base "
            in comment)
    assert comment.endswith("` for the full report.*\n")


@pytest.fixture
def big_pr(make_pr: Callable[[dict[str, str]], PullRequest]) -> PullRequest:
    """300 features with long names, each covered by its own eval: far over the limit."""
    pr = make_pr(fan_out(300, length=120, evals=300))
    pr.edit(*BRIEFER)
    return pr


def test_a_big_comment_fits_and_says_what_was_left_out(big_pr: PullRequest) -> None:
    report = big_pr.report()
    assert (len(report["features"]), len(report["evals"])) == (300, 300)
    comment = big_pr.comment()
    assert len(comment) <= LIMIT
    assert comment.startswith(MARKER + "\n")
    # The edit is in place: version-not-bumped is the one new error.
    assert comment.splitlines()[1] == ("aireg: **300 features affected**, highest tier "
                                       "**medium**, 1 changed declaration, 1 new error.")
    assert "\n… and 200 more features.\n" in comment
    assert "\n- … and 200 more\n</details>" in comment  # the evals
    assert "```mermaid" not in comment
    assert "→ *uses*" not in comment
    assert ("*Left out to fit GitHub's comment limit: the diagram, the paths and all but 100 "
            "rows of each list. Run `aireg impact --base ") in comment


@pytest.fixture
def cut_pr(make_pr: Callable[[dict[str, str]], PullRequest]) -> PullRequest:
    """20 evals with 5,000-character commands: over the limit even at 20 rows a list."""
    pr = make_pr(fan_out(30, length=120))
    pr.edit(*BRIEFER)
    pr.repo.write({"evals/long.yaml": documents(*(decl(
        "Eval", f"long-{i}", {"covers": ["prompt/core@^1"], "command": "x" * 5_000},
        version="1.0.0") for i in range(20)))})
    return pr


CUT_NOTE = ("*Left out to fit GitHub's comment limit: the diagram, the paths and every row "
            "past those that fit (each list says how many). Run `aireg impact --base main` for "
            "the full report.*\n")


def test_a_comment_too_big_for_every_stage_is_cut_and_says_so(cut_pr: PullRequest) -> None:
    comment = cut_pr.comment()
    assert len(comment) <= LIMIT
    assert comment.startswith(MARKER + "\n")
    assert comment.splitlines()[1] == ("aireg: **30 features affected**, highest tier "
                                       "**medium**, 21 changed declarations, 1 new error.")
    # Whole rows are left out, 20 a list at most, then as many 5,000-character evals as fit.
    assert "\n\n… and 1 more changed declarations.\n\n" in comment
    assert "\n\n… and 10 more features.\n\n</details>\n" in comment
    evals = comment[comment.index("<details><summary>Evals to run (20)</summary>"):
                    comment.index("<details><summary>New findings (1)</summary>")]
    assert len(re.findall(r"^- `eval/long-\d+@1\.0\.0`: `x{5000}`$", evals, re.M)) == 10
    assert evals.endswith("\n- … and 10 more\n</details>\n\n")
    assert comment.endswith("patch\\|minor\\|major\\)\n</details>\n\n" + CUT_NOTE)


def test_a_cut_comment_closes_its_sections(cut_pr: PullRequest) -> None:
    comment = cut_pr.comment()
    assert comment.count("<details>") == comment.count("</details>")
    assert_inert(comment, sections=6, diagram=False, diffs=1)


def pull_report(pr: PullRequest) -> PullReport:
    """The report `impact --base main` renders, in this process."""
    from registry import diff
    from registry.project import Project

    today = dt.date.fromisoformat(TODAY)
    base = Project.open(pr.repo.root, "main", today, "--base", use_cache=False)
    head = Project.open(pr.repo.root, None, today, use_cache=False)
    return diff.compare(diff.Side.of(base), diff.Side.of(head), "main", "the working tree",
                        "main")


@pytest.fixture
def hostile_lists_pr(hostile_pr: PullRequest) -> PullRequest:
    """The hostile pull request with 120 more files, each with a hostile name and a prompt
    whose owner is HOSTILE (a schema error that repeats it): 120 more new findings, so
    every stage has a list to shorten, while the blast radius keeps its diagram."""
    hostile_pr.repo.write({
        f"prompts/{i:03d} ``` </details> <!-- aireg:impact --> @octocat \u202e.yaml": decl(
            "Prompt", f"p{i:03d}", {"template": "hi"}, version="1.0.0", owner="user/" + HOSTILE)
        for i in range(120)})
    return hostile_pr


def test_every_stage_of_a_hostile_comment_is_well_formed(hostile_lists_pr: PullRequest) -> None:
    """Each limit a character under the last comment's length: every stage in turn, then
    one row fewer at a time, then one section fewer, down to the verdict and the note."""
    from registry.render.markdown import pr_comment

    report = pull_report(hostile_lists_pr)
    assert pr_comment(report) == hostile_lists_pr.comment()
    notes: list[str] = []
    limit = 10**9
    while True:
        comment = pr_comment(report, limit)
        if len(comment) > limit:  # nothing is left to drop
            assert comment.count("\n") == 4  # the marker, the verdict and the note
            break
        note = comment.splitlines()[-1] if "Left out" in comment else ""
        if note not in notes:
            notes.append(note)
        sections = comment.count("<details><summary>")
        assert_inert(comment, sections, diagram=not note,
                     diffs=comment.count("<summary>Template diff of "))
        limit = len(comment) - 1
    left_out = [n.removeprefix("*Left out to fit GitHub's comment limit: ").split(". Run ")[0]
                for n in notes]
    assert left_out == [
        "", "the diagram", "the diagram and the paths",
        "the diagram, the paths and all but 100 rows of each list",
        "the diagram, the paths and all but 20 rows of each list",
        "the diagram, the paths and every row past those that fit (each list says how many)",
        *(f"the diagram, the paths and every row past those that fit (each list says how "
          f"many), and the last {n} section{'s' * (n > 1)}" for n in range(1, 8))]


def test_a_small_cut_of_the_hostile_comment(request: pytest.FixtureRequest,
                                            hostile_lists_pr: PullRequest) -> None:
    from registry.render.markdown import pr_comment

    comment = pr_comment(pull_report(hostile_lists_pr), limit=6_000)
    check_golden(request, "pr-hostile-cut.md", comment)
    assert len(comment) <= 6_000
    assert_inert(comment, sections=6, diagram=False, diffs=1)


@pytest.mark.parametrize("case", ["big_pr", "cut_pr"], ids=["rows-left-out", "cut"])
def test_the_command_the_note_suggests_runs(request: pytest.FixtureRequest, case: str) -> None:
    pr: PullRequest = request.getfixturevalue(case)
    page = Rendered(pr.comment())
    suggested = [c for c in page.codes if c.startswith("aireg impact")]
    assert len(suggested) == 1
    assert pr.run(*shlex.split(suggested[0])[1:]).code == 0


# --- check --base: the version rules ----------------------------------------------------------

POSITION = {"prompt/house-style@3.1.0": (HOUSE, 27, 12),
            "prompt/support-triage@1.4.0": (TRIAGE, 5, 12)}


@pytest.mark.parametrize("name", NEEDS_BUMP)
def test_a_change_in_place_needs_a_new_version(acme_pr: PullRequest, name: str) -> None:
    edit, node, fields = EDITS[name]
    acme_pr.edit(*edit)
    (field, cls), = fields
    path, line, column = POSITION[node]
    assert acme_pr.version_findings() == (1, [
        not_bumped(node, f"{cls}: {field}", path, line, column)])


@pytest.mark.parametrize("name", IN_PLACE)
def test_a_change_that_may_stay_in_place_needs_no_new_version(acme_pr: PullRequest,
                                                              name: str) -> None:
    acme_pr.edit(*EDITS[name][0])
    assert acme_pr.version_findings() == (0, [])


def test_the_version_rules_need_base(acme_pr: PullRequest) -> None:
    acme_pr.edit(*KINDER)
    result = acme_pr.run("check", "--format", "json")
    assert result.code == 0
    assert [f for f in json.loads(result.out)["findings"] if f["rule"] in VERSION_RULES] == []


def test_a_bumped_version_passes(acme_pr: PullRequest) -> None:
    acme_pr.edit(*KINDER)
    acme_pr.edit(HOUSE, "version: 3.1.0", "version: 3.2.0")
    assert acme_pr.version_findings() == (0, [])


def test_a_version_that_went_down_is_an_error(acme_pr: PullRequest) -> None:
    acme_pr.edit("prompts/escalation-summary.yaml", "version: 1.0.2", "version: 1.0.1")
    assert acme_pr.version_findings() == (1, [{
        "rule": "version-decreased", "severity": "error",
        "message": "the version of prompt/escalation-summary in this file went down from 1.0.2 "
                   "to 1.0.1; versions only go up: use a version above 1.0.2",
        "path": "prompts/escalation-summary.yaml", "line": 5, "column": 12,
        "subject": "prompt/escalation-summary@1.0.1", "field": "metadata.version",
        "fingerprint": fingerprint("version-decreased", "prompt/escalation-summary",
                                   "metadata.version")}])


V2_BACKPORT = decl("Prompt", "house-style", {"template": "Acme voice, v2.5\n"}, version="2.5.0")


@pytest.mark.parametrize("edit", [
    ("version: 2.4.0", "version: 2.4.1"),
    ("  variables: []\n---\n", f"  variables: []\n---\n{V2_BACKPORT}---\n"),
], ids=["patch-v2-in-place", "add-v2.5-beside"])
def test_a_new_version_of_an_older_major_in_the_same_file_did_not_go_down(
        acme_pr: PullRequest, edit: tuple[str, str]) -> None:
    acme_pr.edit(HOUSE, *edit)
    assert acme_pr.version_findings() == (0, [])


def test_check_base_with_an_unknown_revision_exits_2(acme_pr: PullRequest) -> None:
    assert acme_pr.run("check", "--base", "nope") == error(
        "unknown git revision `nope`: check the name, and that it is fetched (in CI, check out "
        "with fetch-depth: 0)")


# --- errors -----------------------------------------------------------------------------------


def test_an_unknown_base_exits_2(acme_pr: PullRequest) -> None:
    assert acme_pr.run("impact", "--base", "nope") == error(
        "unknown git revision `nope`: check the name, and that it is fetched (in CI, check out "
        "with fetch-depth: 0)")


def test_an_unknown_head_exits_2(acme_pr: PullRequest) -> None:
    assert acme_pr.run("impact", "--base", "main", "--head", "nope").code == 2


def test_a_shallow_clone_without_the_base_says_how_to_fetch_it(
        kinder: PullRequest, aireg: Run, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature",
                    kinder.repo.root.as_uri(), str(clone)],
                   env={**os.environ, **GIT_ENV}, check=True)
    assert (clone / ".git" / "shallow").exists()
    assert aireg("-C", str(clone), "impact", "--base", "HEAD~1") == error(
        "unknown git revision `HEAD~1`: this is a shallow clone that lacks it: fetch the history "
        "(git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")


@pytest.mark.parametrize(("args", "message"), [
    (("--base", "main", "prompt/house-style"), "give either REFS or --base, not both"),
    (("--head", "feature"), "--head goes with --base"),
    (("--head", "feature", "prompt/house-style"), "--head goes with --base"),
], ids=["refs-and-base", "head-alone", "head-with-refs"])
def test_impact_options_that_do_not_go_together_exit_2(
        acme_pr: PullRequest, args: tuple[str, ...], message: str) -> None:
    assert acme_pr.run("impact", *args) == error(message)


@pytest.mark.parametrize("command", ["impact", "check"])
def test_base_outside_git_says_git_is_needed(
        aireg: Run, make_registry: Callable[..., Path], command: str) -> None:
    root = make_registry({})
    assert aireg("-C", str(root), command, "--base", "main") == error(
        "--base needs git, and this registry is not inside a git repository")


def test_base_outside_git_exits_2(aireg: Run, make_registry: Callable[..., Path]) -> None:
    root = make_registry({})
    result = aireg("-C", str(root), "impact", "--base", "main")
    assert (result.code, result.out) == (2, "")
    assert "needs git, and this registry is not inside a git repository" in result.err
