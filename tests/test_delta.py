"""impact --base from the two revisions' snapshots (registry.delta): the same bytes as loading
both revisions whole, in every format, for each kind of change a pull request makes; and the
whole loads when the change needs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GitRepo, Run

import registry.cache
import registry.load

TODAY = "2026-06-01"
CONFIG = "apiVersion: aireg/v1\nkind: Registry\nmetadata: {name: shop}\n"
TEAMS = """\
apiVersion: aireg/v1
kind: Team
metadata: {name: platform}
spec: {members: [ana], contact: "#platform"}
---
apiVersion: aireg/v1
kind: Team
metadata: {name: growth}
spec: {members: [bo], contact: "#growth"}
"""


def prompt(name: str, version: str = "1.0.0", text: str = "Answer {{ question }}.",
           includes: str = "[]", model: str = "model/fast", owner: str = "team/platform",
           tools: str = "[]") -> str:
    include_lines = "".join(f'{{% include "{ref.split("@")[0]}" %}}\n    '
                            for ref in includes.strip("[]").split(", ") if ref)
    return f"""\
apiVersion: aireg/v1
kind: Prompt
metadata: {{name: {name}, version: {version}, owner: {owner}}}
spec:
  template: |
    {include_lines}{text}
  includes: {includes}
  variables: [question]
  model: {model}
  tools: {tools}
"""


def feature(name: str, uses: str, tier: str = "high", owner: str = "team/growth") -> str:
    return f"""\
apiVersion: aireg/v1
kind: Feature
metadata: {{name: {name}, owner: {owner}}}
spec: {{tier: {tier}, uses: {uses}}}
"""


MODELS = """\
apiVersion: aireg/v1
kind: Model
metadata: {name: fast, owner: team/platform}
spec: {provider: openai, modelId: gpt-4.1-mini}
"""
MCP = """\
apiVersion: aireg/v1
kind: McpServer
metadata: {name: orders, version: 1.0.0, owner: team/platform}
spec:
  transport: http
  url: https://mcp.example.com/orders
  tools:
    - {name: lookup, description: Find an order}
"""
EVAL = """\
apiVersion: aireg/v1
kind: Eval
metadata: {name: replies, version: 1.0.0, owner: team/platform}
spec:
  covers: [prompt/reply@^1]
  command: promptfoo eval -c evals/replies.yaml
"""
BASE = {
    "aireg.yaml": CONFIG, "teams.yaml": TEAMS, "models.yaml": MODELS, "mcp/orders.yaml": MCP,
    "evals/replies.yaml": EVAL,
    "prompts/style.yaml": prompt("style", text="Be brief."),
    "prompts/reply.yaml": prompt("reply", includes="[prompt/style@^1]",
                                 tools="[mcp/orders@^1#lookup]"),
    "prompts/digest.yaml": prompt("digest", includes="[prompt/style@^1]"),
    "features/help.yaml": feature("help", "[prompt/reply@^1]"),
    "features/news.yaml": feature("news", "[prompt/digest@^1, prompt/missing@^1]",
                                  tier="low"),
}

# Each change a branch makes: files written (None: deleted) on top of BASE.
CHANGES: dict[str, dict[str, str | None]] = {
    "edit in place, no bump": {"prompts/style.yaml": prompt("style", text="Be very brief.")},
    "bump": {"prompts/style.yaml": prompt("style", "1.1.0", text="Be very brief.")},
    "a version beside": {"prompts/style-2.yaml": prompt("style", "1.2.0", text="Be kind.")},
    "removed in use": {"prompts/style.yaml": None},
    "invalid in head": {"prompts/style.yaml": prompt("style").replace("variables:", "vars:")},
    "yaml broken": {"prompts/digest.yaml": "apiVersion: aireg/v1\nkind: [Prompt\n"},
    "file moved": {"prompts/style.yaml": None, "shared/style.yaml": prompt("style",
                                                                          text="Be brief.")},
    "owner moved": {"prompts/digest.yaml": prompt("digest", includes="[prompt/style@^1]",
                                                  owner="user/bo")},
    "team members": {"teams.yaml": TEAMS.replace("members: [bo]", "members: [bo, cy]")},
    "tool server bumped": {"mcp/orders.yaml": MCP.replace("1.0.0", "1.1.0")},
    "dangling ref now resolves": {"prompts/missing.yaml": prompt("missing")},
    "version decreased": {"prompts/digest.yaml": prompt("digest", "0.9.0",
                                                        includes="[prompt/style@^1]")},
    "eval removed": {"evals/replies.yaml": None},
    "feature tier": {"features/help.yaml": feature("help", "[prompt/reply@^1]",
                                                   tier="critical")},
}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No stored output replayed (every command runs), and each whole load counted."""
    monkeypatch.delenv("AIREG_NO_CACHE", raising=False)
    monkeypatch.setattr(registry.cache.Cache, "result", lambda self, key: None)
    loads: list[str] = []
    real = registry.load.load

    def load(tree: registry.load.Tree, *args: object, **kwargs: object) -> object:
        loads.append(str(getattr(tree, "commit", None)))
        return real(tree, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(registry.load, "load", load)
    return loads


def branch(repo: GitRepo, change: dict[str, str | None]) -> None:
    repo.commit("base", dict(BASE))
    repo.git("checkout", "-q", "-b", "change")
    for rel, text in change.items():
        if text is None:
            (repo.root / rel).unlink()
    repo.commit("change", {rel: text for rel, text in change.items() if text is not None})


def compared(aireg: Run, repo: GitRepo, fmt: str, *options: str) -> str:
    result = aireg("-C", str(repo.root), "--today", TODAY, *options, "impact", "--base",
                   "main", "--head", "HEAD", "--format", fmt)
    assert result.code in (0, 1), result.err
    return result.out


def checked(aireg: Run, repo: GitRepo) -> None:
    for rev in ("main", "HEAD"):
        aireg("-C", str(repo.root), "--today", TODAY, "--rev", rev, "check")


@pytest.mark.parametrize("case", sorted(CHANGES))
def test_the_snapshots_answer_as_the_whole_loads_do(case: str, git_repo: GitRepo, aireg: Run,
                                                     counted: list[str]) -> None:
    branch(git_repo, CHANGES[case])
    whole = {fmt: compared(aireg, git_repo, fmt, "--no-cache")
             for fmt in ("text", "json", "markdown")}
    checked(aireg, git_repo)
    counted.clear()
    for fmt, expected in whole.items():
        assert compared(aireg, git_repo, fmt) == expected, fmt
    assert counted == []  # neither revision was loaded whole


def test_the_working_tree_at_head_is_answered_from_head(git_repo: GitRepo, aireg: Run,
                                                        counted: list[str]) -> None:
    branch(git_repo, CHANGES["bump"])
    aireg("-C", str(git_repo.root), "--today", TODAY, "check")  # the working tree: HEAD
    aireg("-C", str(git_repo.root), "--today", TODAY, "--rev", "main", "check")
    counted.clear()
    out = aireg("-C", str(git_repo.root), "--today", TODAY, "impact", "--base", "main")
    assert counted == []
    assert out.out == aireg("-C", str(git_repo.root), "--today", TODAY, "--no-cache",
                            "impact", "--base", "main").out
    # An edit not committed yet: the working tree is loaded, and the edit is seen.
    counted.clear()
    (git_repo.root / "prompts/digest.yaml").write_text(prompt("digest", text="Changed."))
    edited = aireg("-C", str(git_repo.root), "--today", TODAY, "impact", "--base", "main")
    assert len(counted) == 2
    assert "  modified    prompt/digest@1.0.0\n" in edited.out
    assert "  modified    prompt/digest@1.0.0\n" not in out.out


@pytest.mark.parametrize("case", ["template file", "config", "no base snapshot"])
def test_what_the_snapshots_cannot_answer_is_loaded_whole(case: str, git_repo: GitRepo,
                                                          aireg: Run, counted: list[str]
                                                          ) -> None:
    files = dict(BASE)
    files["prompts/style.yaml"] = prompt("style").replace(
        '  template: |\n    Answer {{ question }}.\n', "  templateFile: style.md\n")
    files["prompts/style.md"] = "Be brief. {{ question }}\n"
    change: dict[str, str | None] = {
        "template file": {"prompts/style.md": "Be very brief. {{ question }}\n"},
        "config": {"aireg.yaml": CONFIG.replace("shop", "store")},
        "no base snapshot": {"prompts/digest.yaml": prompt("digest", text="Changed.")},
    }[case]
    git_repo.commit("base", files)
    git_repo.git("checkout", "-q", "-b", "change")
    git_repo.commit("change", {k: v for k, v in change.items() if v is not None})
    whole = compared(aireg, git_repo, "json", "--no-cache")
    if case == "no base snapshot":
        aireg("-C", str(git_repo.root), "--today", TODAY, "--rev", "HEAD", "check")
    else:
        checked(aireg, git_repo)
    counted.clear()
    assert compared(aireg, git_repo, "json") == whole
    assert len(counted) == 2  # both revisions, whole
    assert Path(git_repo.root / "aireg.yaml").exists()


def test_an_eval_removed_keeps_its_command(git_repo: GitRepo, aireg: Run,
                                           counted: list[str]) -> None:
    branch(git_repo, CHANGES["eval removed"])
    checked(aireg, git_repo)
    counted.clear()
    comment = compared(aireg, git_repo, "markdown")
    assert counted == []
    assert "- `eval/replies@1.0.0`: `promptfoo eval -c evals/replies.yaml`\n" in comment
