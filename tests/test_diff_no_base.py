"""The pull request that adds the registry (or moves it): the base has no aireg.yaml in the
registry's folder, so it is compared as an empty registry and every declaration is added."""

from __future__ import annotations

import json

import pytest
from conftest import CONFIG, TEAM, GitRepo, Result, Run, validate_output

TODAY = "2026-11-21"
MARKER = "<!-- aireg:impact -->"

PROMPT = """\
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: greet
  version: 1.0.0
  owner: team/platform
spec:
  template: Say hello.
"""

FEATURE = """\
apiVersion: aireg/v1
kind: Feature
metadata:
  name: hello
  owner: team/platform
spec:
  tier: low
  uses: [prompt/greet@^1]
"""


def registry(folder: str) -> dict[str, str | bytes]:
    return {f"{folder}aireg.yaml": CONFIG, f"{folder}teams/platform.yaml": TEAM,
            f"{folder}prompts/greet.yaml": PROMPT, f"{folder}features/hello.yaml": FEATURE}


def adopt(repo: GitRepo, folder: str) -> None:
    """`main` holds no registry; the branch `adopt` adds one in FOLDER ("" or "registry/")."""
    repo.commit("Start", {"README.md": "# app\n"})
    repo.git("checkout", "-q", "-b", "adopt")
    repo.write(registry(folder))


def run(aireg: Run, repo: GitRepo, folder: str, *args: str) -> Result:
    return aireg("-C", str(repo.root / folder), "--today", TODAY, *args)


def impact(aireg: Run, repo: GitRepo, folder: str, fmt: str) -> str:
    result = run(aireg, repo, folder, "impact", "--base", "main", "--format", fmt)
    assert (result.code, result.err) == (0, "")
    return result.out


def label(repo: GitRepo, rev: str) -> str:
    return f"{rev} ({repo.git('rev-parse', rev).strip()[:12]})"


def text_report(repo: GitRepo, where: str) -> str:
    return f"""\
The base (main) has no registry at {where}: every declaration is new.
Changes between {label(repo, "main")} and the working tree:
  added       feature/hello
  added       prompt/greet@1.0.0
  added       team/platform

Features affected:
  feature/hello  tier low  owner team/platform
    (changed itself)

Dependents (distance, one shortest path):
  0  feature/hello
     (changed itself)
  0  prompt/greet@1.0.0
     (changed itself)
  0  team/platform
     (changed itself)

Owners to notify:
  team/platform (#platform): feature/hello, prompt/greet@1.0.0
"""


COMMENT_TAIL = """
| Declaration | Change | Class | Features hit | Owners | Rolls out to |
|---|---|---|---|---|---|
| `feature/hello` | added | - | `feature/hello` | team/platform | - |
| `prompt/greet@1.0.0` | added | - | `feature/hello` | team/platform | - |
| `team/platform` | added | - | - | - | - |

<details><summary>Affected features (1)</summary>

| Feature | Tier | Owner | Path |
|---|---|---|---|
| `feature/hello` | low | team/platform | (changed itself) |

</details>

<details><summary>Owners to notify (1)</summary>

| Owner | Contact | Affected |
|---|---|---|
| team/platform | \\#platform | 2 |

</details>

<details><summary>Blast radius</summary>

```mermaid
flowchart LR
  n0(["feature/hello"])
  n1["prompt/greet@1.0.0"]
  n2["team/platform"]
  n0 -->|uses| n1
  classDef changed fill:#fde2e1,stroke:#c0392b
  class n0,n1,n2 changed
```

</details>
"""

ADDED = [("feature/hello", "added", None), ("prompt/greet@1.0.0", "added", None),
         ("team/platform", "added", None)]


def json_report(aireg: Run, repo: GitRepo, folder: str) -> dict[str, object]:
    data = json.loads(impact(aireg, repo, folder, "json"))
    validate_output("impact-base", data)
    changes = [(c["id"], c["change"], c["previous"]) for c in data.pop("changes")]
    assert changes == ADDED
    return {k: data[k] for k in ("base", "head", "baseHasRegistry", "highestTier",
                                 "newFindings")}


@pytest.mark.parametrize(("folder", "where"), [("", "the repository root"),
                                               ("registry/", "`registry/`")])
def test_the_pull_request_that_adds_the_registry_adds_every_declaration(
        git_repo: GitRepo, aireg: Run, folder: str, where: str) -> None:
    adopt(git_repo, folder)
    assert impact(aireg, git_repo, folder, "text") == text_report(git_repo, where)
    assert impact(aireg, git_repo, folder, "markdown") == (
        f"{MARKER}\n"
        "aireg: **1 feature affected**, highest tier **low**, 3 changed declarations, no new "
        "errors.\n"
        f"The base (`main`) has no registry at {where}: every declaration is new.\n"
        + COMMENT_TAIL)
    assert json_report(aireg, git_repo, folder) == {
        "base": label(git_repo, "main"), "head": "the working tree", "baseHasRegistry": False,
        "highestTier": "low", "newFindings": []}


@pytest.mark.parametrize(("folder", "where"), [("", "the repository root"),
                                               ("registry/", "`registry/`")])
def test_check_against_a_base_without_the_registry_says_so_and_checks_head(
        git_repo: GitRepo, aireg: Run, folder: str, where: str) -> None:
    adopt(git_repo, folder)
    note = (f"aireg: The base (main) has no registry at {where}: every declaration is new. "
            "The version rules have nothing to compare.\n")
    assert run(aireg, git_repo, folder, "check", "--base", "main") == Result(
        0, "All checks passed: 3 declarations in 4 files.\n", note)
    # Head's own findings are still reported, and fail the check.
    git_repo.write({f"{folder}prompts/greet.yaml": PROMPT.replace("team/platform", "team/x")})
    result = run(aireg, git_repo, folder, "check", "--base", "main", "--format", "json")
    findings = [(f["rule"], f["path"]) for f in json.loads(result.out)["findings"]]
    assert (result.code, result.err, findings) == (
        1, note, [("unknown-owner", f"{folder}prompts/greet.yaml")])


def test_an_unknown_base_revision_is_still_a_usage_error(git_repo: GitRepo,
                                                         aireg: Run) -> None:
    adopt(git_repo, "registry/")
    message = ("aireg: error: unknown git revision `nope`: check the name, and that it is "
               "fetched (in CI, check out with fetch-depth: 0)\n")
    for command in ("check", "impact"):
        assert run(aireg, git_repo, "registry/", command, "--base", "nope") == \
            Result(2, "", message)


def test_a_moved_registry_is_compared_at_its_new_folder(git_repo: GitRepo,
                                                        aireg: Run) -> None:
    """Base is read at head's folder, the same path from the repository root: a registry
    moved from ai/ to registry/ finds nothing there, so everything is new, and it says so."""
    git_repo.commit("Adopt aireg", registry("ai/"))
    git_repo.git("checkout", "-q", "-b", "move")
    git_repo.git("mv", "ai", "registry")
    assert impact(aireg, git_repo, "registry/", "text") == text_report(git_repo, "`registry/`")
    assert json_report(aireg, git_repo, "registry/")["baseHasRegistry"] is False


def test_a_registry_added_inside_another_is_not_compared_with_it(
        git_repo: GitRepo, aireg: Run) -> None:
    """The base's folders above are not searched (as --rev does): the new registry in team/
    has no base, whatever the repository root holds."""
    git_repo.commit("Root registry", {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM})
    git_repo.git("checkout", "-q", "-b", "nested")
    git_repo.write(registry("team/"))
    data = json_report(aireg, git_repo, "team/")
    assert data["baseHasRegistry"] is False


def test_a_new_registry_that_declares_nothing_is_one_line(git_repo: GitRepo,
                                                          aireg: Run) -> None:
    git_repo.commit("Start", {"README.md": "# app\n"})
    git_repo.write({"registry/aireg.yaml": CONFIG})
    assert impact(aireg, git_repo, "registry/", "markdown") == (
        f"{MARKER}\naireg: no AI declaration changed and no new findings (the base has no "
        "registry at `registry/` and head declares nothing).\n")
    assert impact(aireg, git_repo, "registry/", "text") == (
        "The base (main) has no registry at `registry/`, and the working tree declares "
        "nothing: no declaration changed and there are no new findings.\n")


def test_a_base_with_the_registry_says_it_has_one(git_repo: GitRepo, aireg: Run) -> None:
    git_repo.commit("Adopt aireg", registry("registry/"))
    git_repo.write({"registry/prompts/greet.yaml": PROMPT.replace("1.0.0", "1.0.1")})
    data = json.loads(impact(aireg, git_repo, "registry/", "json"))
    changes = [(c["id"], c["change"], c["previous"]) for c in data["changes"]]
    assert (data["baseHasRegistry"], changes) == (True, [
        ("feature/hello", "resolution", None),
        ("prompt/greet@1.0.1", "modified", "prompt/greet@1.0.0")])
    assert impact(aireg, git_repo, "registry/", "text").startswith("Changes between main (")
