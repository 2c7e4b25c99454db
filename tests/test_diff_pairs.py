"""`impact --base` and `check --base` on the workflows users follow: edit then `aireg bump`
(versions paired), a version added beside another, a version removed while in use, a typo
that makes a declaration invalid, a model pin changed, and findings matched by fingerprint
across edits that move them (a reworded message, a new version of their subject, `git mv`).

Each case is a registry written here from scratch, committed on `main`, with the branch
`feature` checked out and edited the way a user would."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import (
    CONFIG,
    TEAM,
    GitRepo,
    Result,
    Run,
    check_golden,
    fingerprint,
    validate_output,
)

# These registries pin API models with no retirement record; the lifecycle-unknown info it
# gives each is not what these tests compare.
QUIET_CONFIG = CONFIG + "spec:\n  policy:\n    rules: {lifecycle-unknown: 'off'}\n"

TODAY = "2026-11-21"
ZWSP = "\u200b"

HOUSE = "prompts/house-style.yaml"
HOUSE_STYLE = """\
# The voice every assistant speaks in.
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: house-style
  version: 3.1.0
  owner: team/platform
  description: Voice and tone shared by every assistant
spec:
  template: |
    You speak for Acme, the project-management platform.
    Be direct and warm. Lead with the answer.
    Never promise refunds or release dates.
"""
HOUSE_STYLE_320 = """\
---
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: house-style
  version: 3.2.0
  owner: team/platform
  description: Voice and tone shared by every assistant
spec:
  template: |
    You speak for Acme, the project-management platform.
    Be direct and warm. Lead with the answer.
    Never promise refunds or release dates.
    Cite the help-center article you used.
"""
TRIAGE = """\
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: triage
  version: 1.0.0
  owner: team/platform
spec:
  templateFile: triage.j2
  includes: [prompt/house-style@^3]
  variables: [ticket]
  model: model/chat
"""
TRIAGE_J2 = """\
{% include "prompt/house-style" %}
Classify the ticket: {{ ticket }}
"""
REPLY = """\
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: reply
  version: 2.0.0
  owner: team/platform
spec:
  template: |
    {% include "prompt/house-style" %}
    Reply to {{ customer }}.
  includes: [prompt/house-style@^3]
  variables: [customer]
  model: model/chat
"""
MODELS = """\
apiVersion: aireg/v1
kind: Model
metadata:
  name: chat
  owner: team/platform
spec:
  provider: self-hosted
  modelId: acme/chat-7b
  task: chat
  hosting: self-hosted
  license: Apache-2.0
---
apiVersion: aireg/v1
kind: Model
metadata:
  name: embedding
  owner: team/platform
spec:
  provider: openai
  modelId: text-embedding-3-large
  task: embedding
  hosting: api
  license: proprietary
"""
FEATURES = """\
apiVersion: aireg/v1
kind: Feature
metadata:
  name: support-bot
  owner: team/platform
spec:
  tier: critical
  uses: [prompt/triage@^1, prompt/reply@^2]
---
apiVersion: aireg/v1
kind: Feature
metadata:
  name: help-search
  owner: team/platform
spec:
  tier: medium
  uses: [model/embedding]
"""
EVAL = """\
apiVersion: aireg/v1
kind: Eval
metadata:
  name: support-regression
  version: 1.0.0
  owner: team/platform
spec:
  covers: [feature/support-bot]
  command: promptfoo eval -c evals/support.yaml
"""
FILES = {
    "aireg.yaml": QUIET_CONFIG, "teams/platform.yaml": TEAM, HOUSE: HOUSE_STYLE,
    "prompts/triage.yaml": TRIAGE, "prompts/triage.j2": TRIAGE_J2, "prompts/reply.yaml": REPLY,
    "models/models.yaml": MODELS, "features/features.yaml": FEATURES,
    "evals/support.yaml": EVAL,
}
# What the branch does to house-style 3.1.0's text.
KINDER = ("Be direct and warm.", "Be direct and kind.")


def validate(data: Any) -> None:
    validate_output("impact-base", data)


@dataclass
class Branch:
    """The registry on `main`, the branch `feature` checked out; edits go to the work tree."""

    repo: GitRepo
    aireg: Run

    def run(self, *args: str) -> Result:
        return self.aireg("-C", str(self.repo.root), "--today", TODAY, *args)

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.repo.root / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def bump(self, ref: str, part: str = "patch") -> None:
        result = self.run("bump", ref, part)
        assert (result.code, result.err) == (0, ""), result

    def impact(self, fmt: str) -> str:
        result = self.run("impact", "--base", "main", "--format", fmt)
        assert (result.code, result.err) == (0, "")
        return result.out

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.impact("json"))
        validate(data)
        return data

    def changes(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.report()["changes"]}

    def check(self, *args: str) -> tuple[int, list[dict[str, Any]]]:
        result = self.run("check", *args, "--format", "json")
        findings: list[dict[str, Any]] = json.loads(result.out)["findings"]
        return result.code, findings


@pytest.fixture
def branch(git_repo: GitRepo, aireg: Run) -> Branch:
    git_repo.write(FILES)
    git_repo.commit("The registry")
    git_repo.git("checkout", "-q", "-b", "feature")
    return Branch(git_repo, aireg)


def summary(change: dict[str, Any]) -> tuple[Any, ...]:
    return (change["id"], change["previous"], change["change"], change["reasons"],
            change["classes"])


def fields(change: dict[str, Any]) -> list[tuple[str, str, Any, Any]]:
    return [(f["field"], f["class"], f["before"], f["after"]) for f in change["fields"]]


HOUSE_TEXT = ("You speak for Acme, the project-management platform.\n"
              "Be direct and warm. Lead with the answer.\n"
              "Never promise refunds or release dates.\n")
KINDER_TEXT = HOUSE_TEXT.replace(*KINDER)
MOVED = "now resolves to prompt/house-style@3.1.1 (was prompt/house-style@3.1.0)"


# --- edit, then aireg bump: one change, paired --------------------------------------------


@pytest.fixture
def bumped(branch: Branch) -> Branch:
    """The recommended workflow: edit house-style 3.1.0's template, then bump it."""
    branch.edit(HOUSE, *KINDER)
    branch.bump("prompt/house-style@3.1.0")
    return branch


def test_a_bumped_edit_is_one_modified_change_of_the_new_version(bumped: Branch) -> None:
    report = bumped.report()
    house = report["changes"][0]
    assert house == {
        "id": "prompt/house-style@3.1.1", "previous": "prompt/house-style@3.1.0",
        "kind": "Prompt", "change": "modified", "reasons": ["modified"],
        "classes": ["behavior"],
        "fields": [{"field": "spec.template", "class": "behavior", "before": HOUSE_TEXT,
                    "after": KINDER_TEXT}],
        "resolutions": [], "detail": "", "features": ["feature/support-bot"],
        "owners": ["team/platform"], "environments": []}
    # The consumers of ^3 now get 3.1.1: listed for that, nothing is removed.
    assert [summary(c) for c in report["changes"][1:]] == [
        ("prompt/reply@2.0.0", None, "resolution", ["resolution"], ["pin"]),
        ("prompt/triage@1.0.0", None, "resolution", ["resolution"], ["pin"])]
    assert [c["detail"] for c in report["changes"][1:]] == [
        f"prompt/house-style@^3 {MOVED}"] * 2
    assert report["newFindings"] == []
    assert bumped.check("--base", "main") == (0, [])


@pytest.mark.parametrize("fmt", ["markdown", "json", "text"])
def test_a_bumped_edit_golden(request: pytest.FixtureRequest, bumped: Branch, fmt: str) -> None:
    out = bumped.impact(fmt)
    extension = {"markdown": "md", "json": "json", "text": "txt"}[fmt]
    check_golden(request, f"pr-bump-house-style.{extension}", out)


def test_the_comment_on_a_bumped_edit_shows_the_pair_and_its_diff(bumped: Branch) -> None:
    comment = bumped.impact("markdown")
    lines = comment.splitlines()
    assert lines[1] == ("aireg: **1 feature affected**, highest tier **critical**, 1 changed "
                        "declaration, 2 resolving differently, no new errors.")
    assert ("| `prompt/house-style@3.1.1` | modified (from `3.1.0`) | behavior | "
            "`feature/support-bot` | team/platform | - |") in lines
    assert "removed" not in comment
    assert (f"<details><summary>Template diff of prompt/house-style@{ZWSP}3.1.1</summary>\n\n"
            "```diff\n"
            "--- base: prompt/house-style@3.1.0 (prompts/house-style.yaml)\n"
            "+++ head: prompt/house-style@3.1.1 (prompts/house-style.yaml)\n"
            "@@ -1,3 +1,3 @@\n"
            " You speak for Acme, the project-management platform.\n"
            "-Be direct and warm. Lead with the answer.\n"
            "+Be direct and kind. Lead with the answer.\n"
            " Never promise refunds or release dates.\n"
            "```\n\n</details>\n") in comment


def test_the_text_report_names_the_version_a_new_one_succeeds(bumped: Branch) -> None:
    assert bumped.impact("text").splitlines()[:7] == [
        f"Changes between main ({bumped.repo.git('rev-parse', 'main')[:12]}) and the working "
        "tree:",
        "  modified    prompt/house-style@3.1.1  (from prompt/house-style@3.1.0)",
        "              spec.template: +1 -1 lines (behavior)",
        "  resolution  prompt/reply@2.0.0",
        f"              prompt/house-style@^3 {MOVED}",
        "  resolution  prompt/triage@1.0.0",
        f"              prompt/house-style@^3 {MOVED}"]


def test_a_bump_without_an_edit_is_a_modified_change_with_no_class(branch: Branch) -> None:
    branch.bump("prompt/house-style@3.1.0")
    house = branch.changes()["prompt/house-style@3.1.1"]
    assert (summary(house), house["fields"]) == (
        ("prompt/house-style@3.1.1", "prompt/house-style@3.1.0", "modified", ["modified"], []),
        [])


def test_a_minor_bump_pairs_with_the_version_it_replaces(branch: Branch) -> None:
    branch.edit(HOUSE, *KINDER)
    branch.bump("prompt/house-style@3.1.0", "minor")
    assert summary(branch.changes()["prompt/house-style@3.2.0"]) == (
        "prompt/house-style@3.2.0", "prompt/house-style@3.1.0", "modified", ["modified"],
        ["behavior"])


def test_a_version_moved_to_another_file_is_still_one_pair(branch: Branch) -> None:
    branch.edit(HOUSE, *KINDER)
    branch.bump("prompt/house-style@3.1.0")
    branch.repo.git("mv", HOUSE, "prompts/voice.yaml")
    report = branch.report()
    assert [summary(c) for c in report["changes"]] == [
        ("prompt/house-style@3.1.1", "prompt/house-style@3.1.0", "modified", ["modified"],
         ["behavior"]),
        ("prompt/reply@2.0.0", None, "resolution", ["resolution"], ["pin"]),
        ("prompt/triage@1.0.0", None, "resolution", ["resolution"], ["pin"])]


# --- the verdict counts what check --base fails on ------------------------------------------


def test_an_edit_in_place_is_a_new_error_in_the_comment_as_in_check_base(
        branch: Branch) -> None:
    branch.edit(HOUSE, *KINDER)
    code, found = branch.check("--base", "main")
    message = ("prompt/house-style@3.1.0 changed (behavior: spec.template) but its version did "
               "not; give it a new version (aireg bump prompt/house-style@3.1.0 "
               "patch|minor|major)")
    expected = {
        "rule": "version-not-bumped", "severity": "error", "message": message, "path": HOUSE,
        "line": 6, "column": 12, "subject": "prompt/house-style@3.1.0",
        "field": "metadata.version",
        "fingerprint": fingerprint("version-not-bumped", "prompt/house-style",
                                   "metadata.version")}
    assert (code, found) == (1, [expected])
    assert branch.report()["newFindings"] == [expected]
    assert branch.impact("markdown").splitlines()[1] == (
        "aireg: **1 feature affected**, highest tier **critical**, 1 changed declaration, "
        "1 new error.")


def test_a_version_that_went_down_is_a_new_error(branch: Branch) -> None:
    branch.edit(HOUSE, "version: 3.1.0", "version: 3.0.9")
    assert [(f["rule"], f["subject"]) for f in branch.report()["newFindings"]] == [
        ("version-decreased", "prompt/house-style@3.0.9")]


# --- a version beside another ---------------------------------------------------------------


def test_a_version_added_beside_is_compared_with_the_highest_lower_one(branch: Branch) -> None:
    branch.repo.write({HOUSE: HOUSE_STYLE + HOUSE_STYLE_320})
    report = branch.report()
    added = report["changes"][0]
    assert summary(added) == ("prompt/house-style@3.2.0", "prompt/house-style@3.1.0", "added",
                              ["added"], ["behavior"])
    assert fields(added) == [("spec.template", "behavior", HOUSE_TEXT,
                              HOUSE_TEXT + "Cite the help-center article you used.\n")]
    assert [summary(c) for c in report["changes"][1:]] == [
        ("prompt/reply@2.0.0", None, "resolution", ["resolution"], ["pin"]),
        ("prompt/triage@1.0.0", None, "resolution", ["resolution"], ["pin"])]
    # Nothing resolves to 3.1.0 any more.
    assert [(f["rule"], f["subject"]) for f in report["newFindings"]] == [
        ("unused-artifact", "prompt/house-style@3.1.0")]
    assert branch.impact("text").splitlines()[1] == (
        "  added       prompt/house-style@3.2.0  (compared with prompt/house-style@3.1.0)")


def test_a_version_added_beside_an_older_major_is_not_paired(branch: Branch) -> None:
    older = HOUSE_STYLE_320.replace("version: 3.2.0", "version: 2.9.0")
    branch.repo.write({HOUSE: HOUSE_STYLE + older})
    report = branch.report()
    assert [summary(c) for c in report["changes"]] == [
        ("prompt/house-style@2.9.0", None, "added", ["added"], [])]


# --- removed, and still in use ---------------------------------------------------------------


def test_removing_a_version_that_head_still_uses_is_an_error(branch: Branch) -> None:
    (branch.repo.root / HOUSE).unlink()
    message = ("`prompt/house-style@^3` resolved to prompt/house-style@3.1.0, which this change "
               "removes with no successor; keep prompt/house-style@3.1.0, or remove the ref (no "
               "version of prompt/house-style is declared now)")

    def removed_in_use(subject: str, path: str, line: int) -> dict[str, Any]:
        return {"rule": "removed-in-use", "severity": "error", "message": message,
                "path": path, "line": line, "column": 14, "subject": subject,
                "field": "spec.includes",
                "fingerprint": fingerprint("removed-in-use", subject, "spec.includes",
                                           "prompt/house-style@^3")}

    expected = [removed_in_use("prompt/reply@2.0.0", "prompts/reply.yaml", 11),
                removed_in_use("prompt/triage@1.0.0", "prompts/triage.yaml", 9)]
    # One error a ref: the dangling refs they explain are not listed beside them.
    assert branch.check("--base", "main") == (1, expected)
    report = branch.report()
    assert report["newFindings"] == expected
    assert [summary(c) for c in report["changes"]] == [
        ("prompt/reply@2.0.0", None, "resolution", ["resolution"], ["pin"]),
        ("prompt/triage@1.0.0", None, "resolution", ["resolution"], ["pin"]),
        ("prompt/house-style@3.1.0", None, "removed", ["removed"], [])]
    # Without --base there is no removal to speak of: the refs dangle.
    assert [f["rule"] for f in branch.check()[1]] == ["dangling-ref", "dangling-ref"]


def test_removing_one_version_names_those_left(branch: Branch) -> None:
    branch.repo.write({HOUSE: HOUSE_STYLE + HOUSE_STYLE_320.replace("3.2.0", "4.0.0")})
    branch.repo.commit("Add house-style 4.0.0")
    branch.repo.git("checkout", "-q", "-b", "drop-v3")
    branch.repo.write({HOUSE: "---\n" + HOUSE_STYLE_320.replace("3.2.0", "4.0.0")})
    result = branch.run("check", "--base", "feature")
    assert result.code == 1
    assert next(line for line in result.out.splitlines() if "removed-in-use" in line) == (
        "prompts/reply.yaml:11:14: error[removed-in-use] `prompt/house-style@^3` resolved to "
        "prompt/house-style@3.1.0, which this change removes with no successor; keep "
        "prompt/house-style@3.1.0, or point the ref at a declared version (4.0.0)")


def test_a_removed_version_nothing_uses_is_no_finding(branch: Branch) -> None:
    branch.repo.write({HOUSE: HOUSE_STYLE + HOUSE_STYLE_320})
    branch.repo.commit("Add house-style 3.2.0")
    branch.repo.git("checkout", "-q", "-b", "drop-old")
    branch.repo.write({HOUSE: HOUSE_STYLE_320})
    result = branch.run("impact", "--base", "feature", "--format", "json")
    report = json.loads(result.out)
    assert [(c["id"], c["change"]) for c in report["changes"]] == [
        ("prompt/house-style@3.1.0", "removed")]
    assert report["newFindings"] == []


# --- a resolution change beside an edit of the consumer --------------------------------------


def test_a_consumer_edited_while_its_include_moves_lists_both(branch: Branch) -> None:
    branch.repo.write({HOUSE: HOUSE_STYLE + HOUSE_STYLE_320})
    branch.edit("prompts/triage.j2", "Classify the ticket", "Classify this ticket")
    branch.bump("prompt/triage@1.0.0")
    report = branch.report()
    triage = {c["id"]: c for c in report["changes"]}["prompt/triage@1.0.1"]
    assert summary(triage) == ("prompt/triage@1.0.1", "prompt/triage@1.0.0", "modified",
                               ["modified", "resolution"], ["behavior", "pin"])
    assert fields(triage) == [("template file prompts/triage.j2", "behavior", TRIAGE_J2,
                               TRIAGE_J2.replace("the ticket", "this ticket"))]
    assert triage["resolutions"] == [{
        "field": "spec.includes", "ref": "prompt/house-style@^3",
        "before": "prompt/house-style@3.1.0", "after": "prompt/house-style@3.2.0"}]
    # In place too: the edit and the move, one entry.
    branch.edit("prompts/triage.yaml", "version: 1.0.1", "version: 1.0.0")
    triage = branch.changes()["prompt/triage@1.0.0"]
    assert summary(triage) == ("prompt/triage@1.0.0", None, "modified",
                               ["modified", "resolution"], ["behavior", "pin"])


def test_the_comment_shows_the_text_of_an_include_that_moved(branch: Branch) -> None:
    """The consumer's own diff, and its include's (3.1.0 against 3.2.0) once, under the
    include's own change."""
    branch.repo.write({HOUSE: HOUSE_STYLE + HOUSE_STYLE_320})
    branch.edit("prompts/triage.j2", "Classify the ticket", "Classify this ticket")
    comment = branch.impact("markdown")
    summaries = re.findall(r"<summary>(Template diff[^<]*)</summary>", comment)
    assert summaries == [f"Template diff of prompt/house-style@{ZWSP}3.2.0",
                         f"Template diff of prompt/triage@{ZWSP}1.0.0"]
    assert ("- `prompt/triage@1.0.0`: `template file prompts/triage.j2` (behavior); "
            f"prompt/house\\-style@{ZWSP}^3 now resolves to prompt/house\\-style@{ZWSP}3\\.2\\.0 "
            f"\\(was prompt/house\\-style@{ZWSP}3\\.1\\.0\\)") in comment.splitlines()


def test_the_text_of_an_include_that_moved_shows_under_a_changed_consumer(
        branch: Branch) -> None:
    """3.2.0 is compared with 3.2.0-rc.1 (the highest version below it), which `^3` never
    matched: the consumer that moves from 3.1.0 to 3.2.0 shows that text change itself."""
    rc = HOUSE_STYLE_320.replace("3.2.0", "3.2.0-rc.1").replace("Cite the", "Name the")
    branch.repo.write({HOUSE: HOUSE_STYLE + rc})
    branch.repo.commit("house-style 3.2.0-rc.1")
    branch.repo.git("checkout", "-q", "-b", "release")
    branch.repo.write({HOUSE: HOUSE_STYLE + rc + HOUSE_STYLE_320})
    branch.edit("prompts/triage.j2", "Classify the ticket", "Classify this ticket")
    result = branch.run("impact", "--base", "feature", "--format", "markdown")
    summaries = re.findall(r"<summary>(Template diff[^<]*)</summary>", result.out)
    assert summaries == [
        f"Template diff of prompt/house-style@{ZWSP}3.2.0",
        f"Template diff of prompt/triage@{ZWSP}1.0.0",
        f"Template diff of prompt/triage@{ZWSP}1.0.0: its include prompt/house-style@{ZWSP}3.2.0"]
    assert ("```diff\n--- base: prompt/house-style@3.1.0 (prompts/house-style.yaml)\n"
            "+++ head: prompt/house-style@3.2.0 (prompts/house-style.yaml)\n"
            "@@ -1,3 +1,4 @@\n"
            " You speak for Acme, the project-management platform.\n"
            " Be direct and warm. Lead with the answer.\n"
            " Never promise refunds or release dates.\n"
            "+Cite the help-center article you used.\n```\n") in result.out


# --- old and new values ------------------------------------------------------------------------


def test_a_model_pin_change_shows_the_old_and_the_new_id(branch: Branch) -> None:
    branch.edit("models/models.yaml", "text-embedding-3-large", "text-embedding-3-small")
    change = branch.changes()["model/embedding"]
    assert (summary(change), fields(change)) == (
        ("model/embedding", None, "modified", ["modified"], ["pin"]),
        [("spec.modelId", "pin", "text-embedding-3-large", "text-embedding-3-small")])
    assert branch.impact("text").splitlines()[1:3] == [
        "  modified    model/embedding",
        "              spec.modelId: text-embedding-3-large -> text-embedding-3-small (pin)"]
    assert ("- `model/embedding`: `spec.modelId` (pin): `text-embedding-3-large` → "
            "`text-embedding-3-small`") in branch.impact("markdown").splitlines()


def test_a_list_field_change_shows_the_members_added_and_removed(branch: Branch) -> None:
    branch.edit("prompts/reply.yaml", "variables: [customer]", "variables: [name, tone]")
    branch.edit("prompts/reply.yaml", "Reply to {{ customer }}.", "Reply to {{ name }}.")
    branch.bump("prompt/reply@2.0.0", "minor")
    change = branch.changes()["prompt/reply@2.1.0"]
    assert fields(change)[0] == ("spec.variables", "interface", ["customer"], ["name", "tone"])
    assert branch.impact("text").splitlines()[1:6] == [
        "  resolution  feature/support-bot",
        "              prompt/reply@^2 now resolves to prompt/reply@2.1.0 (was "
        "prompt/reply@2.0.0)",
        "  modified    prompt/reply@2.1.0  (from prompt/reply@2.0.0)",
        "              spec.variables: +name, +tone, -customer (interface)",
        "              spec.template: +1 -1 lines (behavior)"]


# --- a declaration that no longer validates --------------------------------------------------


def test_a_typo_in_a_field_is_one_invalid_change_without_a_cascade(branch: Branch) -> None:
    branch.edit("prompts/reply.yaml", "  variables:", "  varibles:")
    report = branch.report()
    assert [summary(c) for c in report["changes"]] == [
        ("prompt/reply@2.0.0", None, "invalid", ["invalid"], [])]
    assert report["changes"][0]["features"] == ["feature/support-bot"]
    assert [f["id"] for f in report["features"]] == ["feature/support-bot"]
    assert report["newFindings"] == [{
        "rule": "schema", "severity": "error",
        "message": "unknown field `spec.varibles` (did you mean variables?); remove it or fix "
                   "its name",
        "path": "prompts/reply.yaml", "line": 12, "column": 3, "subject": "prompt/reply@2.0.0",
        "field": "spec.varibles",
        "fingerprint": fingerprint("schema", "prompt/reply", "spec.varibles")}]
    # check still names the ref that cannot resolve.
    assert [f["rule"] for f in branch.check()[1]] == ["dangling-ref", "schema"]
    assert branch.impact("text").splitlines()[1:3] == [
        "  invalid     prompt/reply@2.0.0",
        "              fails validation in head: see the new findings"]


def test_a_typo_and_a_bump_is_one_invalid_change_from_the_old_version(branch: Branch) -> None:
    """What only the invalid declaration used is not reported unused either."""
    branch.edit("prompts/reply.yaml", "model: model/chat", "model: model/reply-only")
    branch.repo.write({"models/reply-only.yaml": MODELS.split("---\n")[0].replace(
        "name: chat", "name: reply-only")})
    branch.repo.commit("reply uses a model of its own")
    branch.repo.git("checkout", "-q", "-b", "typo")
    # By hand: `aireg bump` cannot load the declaration either.
    branch.edit("prompts/reply.yaml", "  variables:", "  varibles:")
    branch.edit("prompts/reply.yaml", "version: 2.0.0", "version: 2.0.1")
    result = branch.run("impact", "--base", "feature", "--format", "json")
    report = json.loads(result.out)
    assert [summary(c) for c in report["changes"]] == [
        ("prompt/reply@2.0.1", "prompt/reply@2.0.0", "invalid", ["invalid"], [])]
    assert [(f["rule"], f["subject"]) for f in report["newFindings"]] == [
        ("schema", "prompt/reply@2.0.1")]
    assert branch.run("impact", "--base", "feature").out.splitlines()[1:3] == [
        "  invalid     prompt/reply@2.0.1  (from prompt/reply@2.0.0)",
        "              fails validation in head: see the new findings"]


def test_a_file_that_no_longer_parses_makes_its_declarations_invalid(branch: Branch) -> None:
    branch.edit(HOUSE, "  description: Voice", "  description: [Voice")
    report = branch.report()
    assert [summary(c) for c in report["changes"]] == [
        ("prompt/house-style@3.1.0", None, "invalid", ["invalid"], [])]
    assert [f["rule"] for f in report["newFindings"]] == ["yaml-syntax"]


# --- findings matched by fingerprint -------------------------------------------------------------


def fingerprints(branch: Branch, *args: str) -> list[tuple[str, str | None, str]]:
    return [(f["rule"], f["subject"], f["fingerprint"]) for f in branch.check(*args)[1]]


@pytest.fixture
def noisy(git_repo: GitRepo, aireg: Run) -> Branch:
    """Base with findings already: house-style uses an undeclared variable, and reply uses a
    model whose sunset day is near (the message lists the features reaching it)."""
    git_repo.write({**FILES, HOUSE: HOUSE_STYLE.replace("release dates.",
                                                        "release dates. ({{ tone }})"),
                    "models/models.yaml": MODELS.replace(
                        "  name: chat\n", "  name: chat\n  deprecation: {sunset: 2026-12-15}\n")})
    git_repo.commit("The registry, with findings")
    git_repo.git("checkout", "-q", "-b", "feature")
    return Branch(git_repo, aireg)


def test_the_base_findings_of_the_noisy_registry(noisy: Branch) -> None:
    assert [(f["rule"], f["subject"], f["field"]) for f in noisy.check()[1]] == [
        ("undeclared-variable", "prompt/house-style@3.1.0", "spec.template"),
        ("sunset-soon", "prompt/reply@2.0.0", "spec.model"),
        ("sunset-soon", "prompt/triage@1.0.0", "spec.model")]


def test_a_finding_whose_message_changed_is_not_new(noisy: Branch) -> None:
    before = fingerprints(noisy)
    noisy.repo.write({"features/more.yaml": FEATURES.split("---\n")[0].replace(
        "support-bot", "support-bot-beta").replace("critical", "low")})
    _, found = noisy.check()
    assert "feature/support-bot-beta" in found[1]["message"]  # the message lists it now
    assert fingerprints(noisy) == before
    assert noisy.report()["newFindings"] == []


def test_a_finding_whose_subject_got_a_new_version_is_not_new(noisy: Branch) -> None:
    before = fingerprints(noisy)
    noisy.edit(HOUSE, *KINDER)
    noisy.bump("prompt/house-style@3.1.0")
    assert fingerprints(noisy) == [("undeclared-variable", "prompt/house-style@3.1.1",
                                    before[0][2]), *before[1:]]
    assert noisy.report()["newFindings"] == []


def test_a_finding_in_a_renamed_file_is_not_new(noisy: Branch) -> None:
    before = fingerprints(noisy)
    noisy.repo.git("mv", "prompts/reply.yaml", "prompts/reply-v2.yaml")
    noisy.repo.commit("Rename")
    assert [f["path"] for f in noisy.check()[1]][1] == "prompts/reply-v2.yaml"
    assert fingerprints(noisy) == before
    report = noisy.report()
    assert (report["changes"], report["newFindings"]) == ([], [])


def test_a_finding_about_another_value_is_new(noisy: Branch) -> None:
    noisy.edit(HOUSE, "({{ tone }})", "({{ tone }} {{ mood }})")
    noisy.bump("prompt/house-style@3.1.0")
    assert [(f["rule"], f["message"]) for f in noisy.report()["newFindings"]] == [
        ("undeclared-variable", "the template uses `mood`, which is not in spec.variables; add "
                                "it to variables or fix the name")]


def test_sarif_carries_the_fingerprint(noisy: Branch) -> None:
    log = json.loads(noisy.run("check", "--format", "sarif").out)
    assert [r["partialFingerprints"] for r in log["runs"][0]["results"]] == [
        {"aireg/v1": fp} for _, _, fp in fingerprints(noisy)]


# --- the diff in the comment ---------------------------------------------------------------------


def test_a_diff_is_fenced_longer_than_any_backtick_run_in_it(branch: Branch) -> None:
    branch.edit(HOUSE, "Lead with the answer.", "Lead with ```` the answer.")
    branch.bump("prompt/house-style@3.1.0")
    comment = branch.impact("markdown")
    assert ("`````diff\n--- base: prompt/house-style@3.1.0 (prompts/house-style.yaml)\n"
            "+++ head: prompt/house-style@3.1.1 (prompts/house-style.yaml)\n@@ -1,3 +1,3 @@\n"
            " You speak for Acme, the project-management platform.\n"
            "-Be direct and warm. Lead with the answer.\n"
            "+Be direct and warm. Lead with ```` the answer.\n"
            " Never promise refunds or release dates.\n`````\n") in comment


def test_a_long_diff_is_cut_and_says_so(branch: Branch) -> None:
    long_text = "".join(f"    line {i:04d} of a long prompt\n" for i in range(400))
    branch.edit(HOUSE, "    Never promise refunds or release dates.\n", long_text)
    branch.bump("prompt/house-style@3.1.0")
    comment = branch.impact("markdown")
    start = comment.index("```diff\n")
    body = comment[start:comment.index("\n```\n", start)]
    assert len(body) <= 4_000 + len("```diff\n")
    # 406 lines: 138 fit in 4,000 characters.
    assert body.endswith("\n+line 0131 of a long prompt")
    assert "\n```\n\n*The diff was cut at 4,000 characters; 268 more lines not shown.*\n" in \
        comment


# --- the comment for each case, whole --------------------------------------------------------


def _typo(branch: Branch) -> None:
    branch.edit("prompts/reply.yaml", "  variables:", "  varibles:")


def _edit_while_include_moves(branch: Branch) -> None:
    branch.repo.write({HOUSE: HOUSE_STYLE + HOUSE_STYLE_320})
    branch.edit("prompts/triage.j2", "Classify the ticket", "Classify this ticket")
    branch.bump("prompt/triage@1.0.0")


def _embedding_pin(branch: Branch) -> None:
    branch.edit("models/models.yaml", "text-embedding-3-large", "text-embedding-3-small")


def _removed_in_use(branch: Branch) -> None:
    (branch.repo.root / HOUSE).unlink()


CASES = {"invalid": _typo, "edit-and-resolution": _edit_while_include_moves,
         "model-pin": _embedding_pin, "removed-in-use": _removed_in_use}


@pytest.mark.parametrize("case", list(CASES))
def test_the_comment_of_each_case_golden(request: pytest.FixtureRequest, branch: Branch,
                                         case: str) -> None:
    CASES[case](branch)
    check_golden(request, f"pr-{case}.md", branch.impact("markdown"))
