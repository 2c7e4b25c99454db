"""`aireg history REF` in real git repositories: each version's introduction, changes (with
the change classes of `impact --base`) and removal, grouped by version, oldest first, with
author, day and subject; commits that do not change the artifact are left out."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CONFIG, GIT_ENV, TEAM, GitRepo, Result, Run, validate_output

STYLE = "prompts/style.yaml"
STYLE_J2 = "prompts/style-v2.j2"


def style(version: str, description: str = "The house style", spec: str = "template: |\n"
          "    Be brief.\n", deprecation: str = "") -> str:
    return (f"apiVersion: aireg/v1\nkind: Prompt\nmetadata:\n  name: style\n"
            f"  version: {version}\n  owner: team/platform\n  description: {description}\n"
            f"{deprecation}spec:\n  {spec}")


def prompt(name: str) -> str:
    return (f"apiVersion: aireg/v1\nkind: Prompt\nmetadata:\n  name: {name}\n  version: 1.0.0\n"
            f"  owner: team/platform\nspec:\n  template: Be {name}.\n")


V1 = style("1.0.0")
V1_DESCRIBED = style("1.0.0", "The house style, for every assistant")
V1_DEPRECATED = style("1.0.0", "The house style, for every assistant",
                      deprecation="  deprecation:\n    sunset: 2027-01-31\n")
V2 = style("2.0.0", "The house style, v2", "templateFile: style-v2.j2\n")
V2_NAMED = style("2.0.0", "The house style, v2",
                 "templateFile: style-v2.j2\n  variables: [customer]\n")


def reauthor(repo: GitRepo, author: str) -> str:
    """Give HEAD another author, keeping its dates (so its id stays the same on every run)."""
    stamp = repo.git("log", "-1", "--format=%aI").strip()
    subprocess.run(["git", "commit", "-q", "--amend", "--no-edit", f"--author={author}"],
                   cwd=repo.root, env={**os.environ, **GIT_ENV, "GIT_COMMITTER_DATE": stamp},
                   check=True)
    return repo.git("rev-parse", "HEAD").strip()


@pytest.fixture
def style_repo(git_repo: GitRepo) -> tuple[GitRepo, dict[str, str]]:
    """prompt/style through ten commits, one a day from 2026-01-01; returns the commit ids by
    subject."""
    commits: dict[str, str] = {}

    def commit(subject: str, files: dict[str, str | bytes]) -> None:
        commits[subject] = git_repo.commit(subject, files)

    commit("Add the house style",
           {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM, STYLE: V1})
    commit("Describe the house style", {STYLE: V1_DESCRIBED})
    commit("Add an unrelated prompt", {"prompts/other.yaml": prompt("other")})
    commit("House style 2.0.0", {STYLE: V1_DESCRIBED + "---\n" + V2,
                                 STYLE_J2: "Be brief and warm.\n"})
    commit("Warmer v2", {STYLE_J2: "Be brief and very warm.\n"})
    commits["Warmer v2"] = reauthor(git_repo, "Bo Builder <bo@example.com>")
    commit("Reflow v2", {STYLE_J2: "Be brief\nand very warm.\n\n"})
    commit("A sibling prompt in the same file",
           {STYLE: "# Both house-style majors, and the tone prompt.\n" + V1_DESCRIBED + "---\n"
            + V2 + "---\n" + prompt("tone")})
    commit("v2 takes a name", {STYLE: V1_DESCRIBED + "---\n" + V2_NAMED + "---\n"
                               + prompt("tone")})
    commit("Deprecate 1.0.0", {STYLE: V1_DEPRECATED + "---\n" + V2_NAMED + "---\n"
                               + prompt("tone")})
    commit("Drop 1.0.0", {STYLE: V2_NAMED + "---\n" + prompt("tone")})
    return git_repo, commits


def history(aireg: Run, root: Path, *args: str) -> Result:
    return aireg("-C", str(root), "history", *args)


def test_history_lists_each_version_oldest_first(
        aireg: Run, style_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, sha = style_repo

    def line(day: int, subject: str, what: str, author: str = "Ada Author") -> str:
        return f"    2026-01-{day:02d}  {sha[subject][:10]}  {what}{author}: {subject}"

    assert history(aireg, repo.root, "prompt/style") == Result(0, "\n".join([
        "prompt/style",
        "  1.0.0",
        line(1, "Add the house style", "introduced              "),
        line(2, "Describe the house style", "changed: metadata       "),
        line(9, "Deprecate 1.0.0", "changed: lifecycle      "),
        line(10, "Drop 1.0.0", "removed                 "),
        "  2.0.0",
        line(4, "House style 2.0.0", "introduced              "),
        line(5, "Warmer v2", "changed: behavior       ", "Bo Builder"),
        line(6, "Reflow v2", "changed: cosmetic       "),
        line(8, "v2 takes a name", "changed: interface      "),
    ]) + "\n", "")


def event(sha: dict[str, str], day: int, subject: str, version: str, change: str,
          fields: dict[str, str] | None = None, author: str = "Ada Author",
          previous: str | None = None) -> dict[str, Any]:
    fields = fields or {}
    return {"id": f"prompt/style@{version}", "version": version, "change": change,
            "previous": previous and f"prompt/style@{previous}",
            "classes": sorted(set(fields.values())), "fields": list(fields),
            "commit": sha[subject], "day": f"2026-01-{day:02d}", "author": author,
            "subject": subject}


def test_history_json_matches_its_schema(
        aireg: Run, style_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, sha = style_repo
    result = history(aireg, repo.root, "prompt/style", "--format", "json")
    assert (result.code, result.err) == (0, "")
    data = json.loads(result.out)
    validate_output("history", data)
    assert data == {"version": 1, "artifact": "prompt/style", "events": [
        event(sha, 1, "Add the house style", "1.0.0", "introduced"),
        event(sha, 2, "Describe the house style", "1.0.0", "changed",
              {"metadata.description": "metadata"}),
        event(sha, 4, "House style 2.0.0", "2.0.0", "introduced"),
        event(sha, 5, "Warmer v2", "2.0.0", "changed",
              {f"template file {STYLE_J2}": "behavior"}, author="Bo Builder"),
        event(sha, 6, "Reflow v2", "2.0.0", "changed",
              {f"template file {STYLE_J2}": "cosmetic"}),
        event(sha, 8, "v2 takes a name", "2.0.0", "changed", {"spec.variables": "interface"}),
        event(sha, 9, "Deprecate 1.0.0", "1.0.0", "changed",
              {"metadata.deprecation.sunset": "lifecycle"}),
        event(sha, 10, "Drop 1.0.0", "1.0.0", "removed"),
    ]}


def test_a_template_file_edit_alone_is_a_behavior_change(
        aireg: Run, style_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, sha = style_repo
    assert repo.git("show", "--name-only", "--format=", sha["Warmer v2"]) == f"{STYLE_J2}\n"
    result = history(aireg, repo.root, "prompt/style")
    assert f"{sha['Warmer v2'][:10]}  changed: behavior       Bo Builder: Warmer v2" in result.out


@pytest.mark.parametrize("subject", ["Add an unrelated prompt",
                                     "A sibling prompt in the same file"])
def test_commits_that_do_not_change_the_artifact_are_not_listed(
        aireg: Run, style_repo: tuple[GitRepo, dict[str, str]], subject: str) -> None:
    repo, sha = style_repo
    result = history(aireg, repo.root, "prompt/style")
    assert result.code == 0
    assert sha[subject][:10] not in result.out
    assert subject not in result.out


def test_a_sibling_in_the_same_file_has_its_own_history(
        aireg: Run, style_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, sha = style_repo
    assert history(aireg, repo.root, "prompt/tone") == Result(0, (
        "prompt/tone\n  1.0.0\n"
        f"    2026-01-07  {sha['A sibling prompt in the same file'][:10]}  introduced"
        "              Ada Author: A sibling prompt in the same file\n"), "")


def test_history_at_a_rev_stops_there(aireg: Run,
                                      style_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, sha = style_repo
    result = aireg("-C", str(repo.root), "--rev", sha["Warmer v2"], "history", "prompt/style",
                   "--format", "json")
    assert [(e["version"], e["subject"]) for e in json.loads(result.out)["events"]] == [
        ("1.0.0", "Add the house style"), ("1.0.0", "Describe the house style"),
        ("2.0.0", "House style 2.0.0"), ("2.0.0", "Warmer v2")]


def test_history_of_a_registry_in_a_subfolder(aireg: Run, git_repo: GitRepo) -> None:
    first = git_repo.commit("Add it", {"ai/aireg.yaml": CONFIG, "ai/teams/platform.yaml": TEAM,
                                       "ai/" + STYLE: V2, "ai/" + STYLE_J2: "Be brief.\n"})
    second = git_repo.commit("Edit it", {"ai/" + STYLE_J2: "Be briefer.\n"})
    result = history(aireg, git_repo.root / "ai", "prompt/style", "--format", "json")
    assert [(e["commit"], e["change"], e["fields"]) for e in json.loads(result.out)["events"]] == [
        (first, "introduced", []), (second, "changed", [f"template file ai/{STYLE_J2}"])]


def test_history_of_an_undeclared_artifact_exits_2(
        aireg: Run, style_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, _ = style_repo
    assert history(aireg, repo.root, "prompt/nope") == Result(
        2, "", "aireg: error: prompt/nope is not declared; run `aireg ls` to see what is\n")


def test_history_outside_git_says_git_is_needed(aireg: Run,
                                                make_registry: Callable[..., Path]) -> None:
    root = make_registry({STYLE: V1})
    assert history(aireg, root, "prompt/style") == Result(
        2, "", "aireg: error: history needs git, and this registry is not inside a git "
        "repository\n")


# --- files that moved ---------------------------------------------------------------------


def changes(aireg: Run, root: Path) -> list[tuple[str, str, list[str]]]:
    result = history(aireg, root, "prompt/style", "--format", "json")
    assert (result.code, result.err) == (0, "")
    return [(e["subject"], e["change"], e["classes"]) for e in json.loads(result.out)["events"]]


def test_a_template_edit_before_the_file_was_renamed_is_listed(aireg: Run,
                                                               git_repo: GitRepo) -> None:
    git_repo.commit("Add it", {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM, STYLE: V2,
                               STYLE_J2: "Be brief.\n"})
    git_repo.commit("Edit the template", {STYLE_J2: "Be briefer.\n"})
    git_repo.git("mv", STYLE_J2, "prompts/style.j2")
    git_repo.commit("Rename the template", {STYLE: V2.replace("style-v2.j2", "style.j2")})
    assert changes(aireg, git_repo.root) == [
        ("Add it", "introduced", []),
        ("Edit the template", "changed", ["behavior"]),
        ("Rename the template", "changed", ["cosmetic"]),
    ]


def test_the_history_before_a_file_moved_is_kept(aireg: Run, git_repo: GitRepo) -> None:
    git_repo.commit("Add it", {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM, STYLE: V1})
    git_repo.commit("Describe it", {STYLE: V1_DESCRIBED})
    git_repo.git("mv", STYLE, "prompts/house-style.yaml")
    git_repo.commit("Move it")
    assert changes(aireg, git_repo.root) == [
        ("Add it", "introduced", []),
        ("Describe it", "changed", ["metadata"]),
    ]


# --- versions paired, as impact --base pairs them -----------------------------------------


@pytest.fixture
def bumped_repo(git_repo: GitRepo, aireg: Run) -> tuple[GitRepo, dict[str, str]]:
    """prompt/style 1.0.0, edited and bumped to 1.0.1 (`aireg bump`), bumped to 1.0.2 with
    no other change, and 1.1.0 added beside it (`bump --alongside`)."""
    commits = {"Add it": git_repo.commit("Add it", {"aireg.yaml": CONFIG,
                                                    "teams/platform.yaml": TEAM, STYLE: V1})}

    def bump(subject: str, ref: str, *how: str) -> None:
        result = aireg("-C", str(git_repo.root), "bump", ref, *how)
        assert result.code == 0, result.err
        commits[subject] = git_repo.commit(subject)

    (git_repo.root / STYLE).write_text(V1.replace("Be brief.", "Be briefer."), "utf-8")
    bump("Briefer, 1.0.1", "prompt/style@1.0.0", "patch")
    bump("Just 1.0.2", "prompt/style@1.0.1", "patch")
    bump("1.1.0 beside it", "prompt/style@1.0.2", "minor", "--alongside")
    return git_repo, commits


def test_a_bumped_version_succeeds_the_one_it_replaced(
        aireg: Run, bumped_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, sha = bumped_repo

    def line(day: int, subject: str, what: str) -> str:
        return f"    2026-01-{day:02d}  {sha[subject][:10]}  {what:<24}  Ada Author: {subject}"

    assert history(aireg, repo.root, "prompt/style") == Result(0, "\n".join([
        "prompt/style",
        "  1.0.0",
        line(1, "Add it", "introduced"),
        line(2, "Briefer, 1.0.1", "succeeded by 1.0.1"),
        "  1.0.1",
        line(2, "Briefer, 1.0.1", "succeeds 1.0.0: behavior"),
        line(3, "Just 1.0.2", "succeeded by 1.0.2"),
        "  1.0.2",
        line(3, "Just 1.0.2", "succeeds 1.0.1"),
        "  1.1.0",
        line(4, "1.1.0 beside it", "introduced"),
    ]) + "\n", "")


def test_a_bumped_version_in_json_names_the_previous_one(
        aireg: Run, bumped_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, sha = bumped_repo
    result = history(aireg, repo.root, "prompt/style", "--format", "json")
    assert (result.code, result.err) == (0, "")
    data = json.loads(result.out)
    validate_output("history", data)
    assert data == {"version": 1, "artifact": "prompt/style", "events": [
        event(sha, 1, "Add it", "1.0.0", "introduced"),
        event(sha, 2, "Briefer, 1.0.1", "1.0.1", "succeeds", {"spec.template": "behavior"},
              previous="1.0.0"),
        event(sha, 3, "Just 1.0.2", "1.0.2", "succeeds", previous="1.0.1"),
        event(sha, 4, "1.1.0 beside it", "1.1.0", "introduced"),
    ]}


def test_the_history_before_the_registry_folder_moved_is_kept(aireg: Run,
                                                               git_repo: GitRepo) -> None:
    git_repo.commit("Add it", {"ai/aireg.yaml": CONFIG, "ai/teams/platform.yaml": TEAM,
                               "ai/" + STYLE: V2, "ai/" + STYLE_J2: "Be brief.\n"})
    git_repo.commit("Edit it", {"ai/" + STYLE_J2: "Be briefer.\n"})
    git_repo.git("mv", "ai", "registry")
    git_repo.commit("Move the registry")
    described = V2.replace("The house style, v2", "The house style, v2, moved")
    git_repo.commit("Describe it", {"registry/" + STYLE: described})
    assert changes(aireg, git_repo.root / "registry") == [
        ("Add it", "introduced", []),
        ("Edit it", "changed", ["behavior"]),
        ("Describe it", "changed", ["metadata"]),
    ]
