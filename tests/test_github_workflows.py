"""The GitHub integration: action.yml, examples/github/*.yml and .pre-commit-hooks.yaml.

Checked with the tools their users run (check-jsonschema's vendored GitHub schemas, zizmor,
pre-commit), all offline, then for what a security reviewer looks at by hand: permissions,
pins, no `${{ }}` in scripts, no checkout in the privileged workflow. The comment workflow's
scripts run here too: its artifact reader on hostile zips (with Python), its github-script
steps against a mocked API (with node, skipped where node is missing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "github"
IMPACT = EXAMPLES / "aireg-impact.yml"
COMMENT = EXAMPLES / "aireg-comment.yml"
README = EXAMPLES / "README.md"
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOWS = [IMPACT, COMMENT]
MARKER = "<!-- aireg:impact -->"
ARTIFACT = "aireg-impact"
BOT = "github-actions[bot]"
HEAD_SHA = "a" * 40
SHA_PINNED = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")


# ---------------------------------------------------------------- helpers


def _tool(name: str) -> str:
    """A command-line tool of the test extras: beside this Python first, then on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def _offline_env() -> dict[str, str]:
    """The environment minus GitHub tokens, with every proxy pointing at a closed local port,
    so a tool that tried to reach the network would fail instead of passing by luck."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN"}}
    dead = "http://127.0.0.1:9"
    env.update(HTTP_PROXY=dead, HTTPS_PROXY=dead, ALL_PROXY=dead, http_proxy=dead,
               https_proxy=dead, all_proxy=dead, NO_PROXY="", no_proxy="", NO_COLOR="1")
    return env


def _run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=_offline_env(), text=True,
                          capture_output=True, timeout=300, check=False)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _on(workflow: dict[Any, Any]) -> Any:
    """The `on:` block (YAML 1.1 reads a bare `on` key as True)."""
    return workflow["on"] if "on" in workflow else workflow[True]


def _steps(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every step of a workflow's jobs, or of a composite action."""
    if "runs" in document:
        yield from document["runs"].get("steps", [])
        return
    for job in document["jobs"].values():
        yield from job.get("steps", [])


def _step(document: dict[str, Any], step_id: str) -> dict[str, Any]:
    (found,) = [s for s in _steps(document) if s.get("id") == step_id]
    return found


def _readme_code_scanning_job() -> tuple[str, dict[str, Any]]:
    """The code-scanning job the README offers to paste into aireg-impact.yml."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- code-scanning-job -->\n  ```yaml\n(.*?)\n  ```\n", text, re.S)
    assert match, "README.md lost its code-scanning job snippet"
    snippet = "\n".join(line.removeprefix("  ") for line in match.group(1).split("\n"))
    return snippet, yaml.safe_load(snippet)["jobs"]["code-scanning"]


def _with_code_scanning(tmp_path: Path) -> Path:
    """aireg-impact.yml with the README's job pasted at the end of its `jobs:`, as a user would."""
    text = IMPACT.read_text(encoding="utf-8")
    # `jobs:` is the last top-level key, so the job can simply be appended.
    assert not re.search(r"^\S", text.split("\njobs:\n", 1)[1], re.M)
    snippet = _readme_code_scanning_job()[0]
    path = tmp_path / "aireg-impact-with-code-scanning.yml"
    path.write_text(text + "\n" + snippet.split("jobs:\n", 1)[1] + "\n", encoding="utf-8")
    assert set(_load(path)["jobs"]) == {"impact", "code-scanning"}
    return path


ALL_FILES = [IMPACT, COMMENT, ACTION]


# ---------------------------------------------------------------- the tools users run


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_githubs_workflow_schema(path: Path) -> None:
    result = _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_matches_githubs_action_schema() -> None:
    result = _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", ACTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_code_scanning_job_validates(tmp_path: Path) -> None:
    path = _with_code_scanning(tmp_path)
    result = _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", path)
    assert result.returncode == 0, result.stdout + result.stderr
    result = _run(_tool("zizmor"), "--offline", "--no-config", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing() -> None:
    result = _run(_tool("zizmor"), "--offline", "--no-config", *ALL_FILES, HOOKS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_auditor_persona_finds_nothing_either() -> None:
    """Even the persona that accepts false positives has nothing left to say."""
    result = _run(_tool("zizmor"), "--offline", "--no-config", "--persona", "auditor",
                  *ALL_FILES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_only_accepted_zizmor_finding_is_the_workflow_run_trigger() -> None:
    """aireg-comment.yml ignores dangerous-triggers, with its reason in a comment; nothing else
    anywhere is ignored."""
    result = _run(_tool("zizmor"), "--offline", "--no-config", "--no-ignores",
                  "--format", "json", *ALL_FILES)
    findings = json.loads(result.stdout)
    accepted = {(f["ident"], Path(loc["symbolic"]["key"]["Local"]["verbatim_path"]).name)
                for f in findings for loc in f["locations"]}
    assert accepted == {("dangerous-triggers", COMMENT.name)}
    ignores = [p.name for p in ALL_FILES if "zizmor: ignore" in p.read_text(encoding="utf-8")]
    assert ignores == [COMMENT.name]
    text = COMMENT.read_text(encoding="utf-8")
    assert "workflow_run: # zizmor: ignore[dangerous-triggers]" in text


def test_pre_commit_manifest_validates() -> None:
    result = _run(_tool("pre-commit"), "validate-manifest", HOOKS)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- the hook, run by pre-commit

GOOD_REGISTRY = {
    "registry/aireg.yaml": "apiVersion: aireg/v1\nkind: Registry\nmetadata: {name: t}\n",
    "registry/teams/platform.yaml": (
        "apiVersion: aireg/v1\nkind: Team\nmetadata: {name: platform}\n"
        "spec: {members: [maria], contact: '#platform'}\n"),
    "registry/prompts/p.yaml": (
        "apiVersion: aireg/v1\nkind: Prompt\n"
        "metadata: {name: p, version: 1.0.0, owner: team/platform}\nspec: {template: hi}\n"),
    "registry/features/bot.yaml": (
        "apiVersion: aireg/v1\nkind: Feature\nmetadata: {name: bot, owner: team/platform}\n"
        "spec:\n  uses: [prompt/p@^1]\n"),
}
HOOK_FILES = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "registry", "cli"]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """This project as a hook repository (its working tree, committed to a new repository),
    its commit, and one PRE_COMMIT_HOME for the module: pre-commit builds the hook's
    environment once (pip installs aireg and its dependencies from PyPI)."""
    from conftest import GitRepo

    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard", "--", *HOOK_FILES], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split("\0")
    repo = GitRepo(tmp_path_factory.mktemp("hook") / "aireg")
    for name in filter(None, listed):
        if (ROOT / name).is_file():  # a deleted, not yet committed file is listed too
            (repo.root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo.root / name)
    return repo.root, repo.commit("aireg"), tmp_path_factory.mktemp("pre-commit-home")


def _pre_commit_run(hook: tuple[Path, str, Path], target: Path
                    ) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --all-files` in a registry repository whose config names the hook with
    `args: [-C, registry]`, as a user whose aireg.yaml is in registry/ writes it."""
    from conftest import GIT_ENV

    repo, rev, home = hook
    (target / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: aireg-check\n"
        "        args: [-C, registry]\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=target, check=True, env={**os.environ, **GIT_ENV})
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([_tool("pre-commit"), "run", "--all-files", "--color", "never"],
                          cwd=target, env=env, text=True, capture_output=True, timeout=600,
                          check=False)


def _hook_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """pre-commit's output without its one-time environment set-up lines."""
    return [line for line in result.stdout.splitlines() if not line.startswith("[INFO] ")]


def test_pre_commit_hook_checks_a_registry_in_a_subfolder(
        hook_repo: tuple[Path, str, Path], git_repo: Any) -> None:
    git_repo.commit("registry", GOOD_REGISTRY)
    result = _pre_commit_run(hook_repo, git_repo.root)
    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = _hook_lines(result)
    assert re.fullmatch(r"aireg check\.+Passed", line), line


def test_pre_commit_hook_fails_with_the_finding(hook_repo: tuple[Path, str, Path],
                                                git_repo: Any) -> None:
    git_repo.commit("registry", GOOD_REGISTRY)
    git_repo.write({"registry/features/bot.yaml": GOOD_REGISTRY["registry/features/bot.yaml"]
                    .replace("prompt/p@^1", "prompt/p@^2")})
    result = _pre_commit_run(hook_repo, git_repo.root)
    assert result.returncode == 1, result.stdout + result.stderr
    first, *rest = _hook_lines(result)
    assert re.fullmatch(r"aireg check\.+Failed", first), first
    assert rest == [
        "- hook id: aireg-check",
        "- exit code: 1",
        "",
        "registry/features/bot.yaml:5:10: error[unsatisfied-ref] no declared version of "
        "prompt/p satisfies `^2`; declared: 1.0.0",
        "registry/prompts/p.yaml:3:18: info[unused-artifact] nothing uses prompt/p@1.0.0; "
        "remove it if it is no longer needed",
        "",
        "Found 1 error, 0 warnings, 1 info in 3 declarations in 4 files.",
        "",
    ]


# ---------------------------------------------------------------- what a reviewer checks


def test_pre_commit_hook() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "aireg-check"
    assert hook["entry"] == "aireg check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["description"]
    files = re.compile(hook["files"])
    for name in ["aireg.yaml", "prompts/a.yml", "prompts/templates/triage.j2"]:
        assert files.search(name), name
    for name in ["README.md", "a.yaml.bak", "x.json", "j2/readme.txt"]:
        assert not files.search(name), name


def test_pr_workflow_has_no_permissions_but_contents_read() -> None:
    workflow = _load(IMPACT)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name
    assert set(_on(workflow)) == {"pull_request"}


def test_comment_workflow_holds_exactly_actions_read_and_pull_requests_write() -> None:
    workflow = _load(COMMENT)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job["permissions"] == {"actions": "read", "pull-requests": "write"}, name


def test_comment_workflow_follows_the_pr_workflow() -> None:
    impact, comment = _load(IMPACT), _load(COMMENT)
    assert _on(comment) == {"workflow_run": {"workflows": [impact["name"]],
                                             "types": ["completed"]}}
    (job,) = comment["jobs"].values()
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]


@pytest.mark.parametrize("path", [*ALL_FILES, README], ids=lambda p: p.name)
def test_no_expression_inside_any_script(path: Path) -> None:
    """`${{ }}` is expanded before the shell or JavaScript sees it: a branch name or title would
    become code. Values reach scripts through env: only."""
    readme = path == README
    steps = _readme_code_scanning_job()[1]["steps"] if readme else list(_steps(_load(path)))
    scripts = [s["run"] for s in steps if "run" in s]
    scripts += [s["with"]["script"] for s in steps if "script" in s.get("with", {})]
    assert scripts or readme
    for script in scripts:
        assert "${{" not in script


@pytest.mark.parametrize("path", [*ALL_FILES, README], ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_sha_with_its_tag(path: Path) -> None:
    text = _readme_code_scanning_job()[0] if path == README else path.read_text(encoding="utf-8")
    lines = text.splitlines()
    uses = [m for m in map(USES_LINE.match, lines) if m]
    assert uses
    for match in uses:
        ref, rest = match.groups()
        assert SHA_PINNED.fullmatch(ref), ref
        assert re.match(r"\s*# v\d", rest), f"{ref}: the tag belongs in a comment"


def test_checkout_leaves_no_credentials_and_fetches_the_base() -> None:
    checkouts = [s for p in WORKFLOWS for s in _steps(_load(p))
                 if s.get("uses", "").startswith("actions/checkout@")]
    checkouts.append(_readme_code_scanning_job()[1]["steps"][0])
    assert checkouts
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False
    (impact_checkout,) = [s for s in _steps(_load(IMPACT))
                          if s.get("uses", "").startswith("actions/checkout@")]
    assert impact_checkout["with"]["fetch-depth"] == 0


def test_comment_workflow_never_checks_out_or_runs_pull_request_code() -> None:
    steps = list(_steps(_load(COMMENT)))
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert set(uses) == {"actions/github-script"}
    scripts = "\n".join(s.get("run", "") + s.get("with", {}).get("script", "") for s in steps)
    for word in ["checkout", "git ", "pip ", "npm ", "source ", "eval ", "bash "]:
        assert word not in scripts, word
    # The pull request comes from head_sha through the API, never from the artifact nor from
    # workflow_run.pull_requests (empty for forks).
    assert "pull_requests" not in scripts
    assert "run.head_sha" in scripts


def test_pr_workflow_uploads_then_fails() -> None:
    steps = list(_steps(_load(IMPACT)))
    kinds = [s.get("uses", "").split("@")[0] or s.get("name", "") for s in steps]
    upload = kinds.index("actions/upload-artifact")
    fail = kinds.index("Fail when aireg check found errors")
    assert upload < fail == len(steps) - 1
    assert steps[upload]["with"]["name"] == ARTIFACT
    assert steps[fail]["if"] == "steps.aireg.outputs.check-exit-code != '0'"
    action = _step(_load(IMPACT), "aireg")
    assert action["with"]["fail-on-findings"] == "false"
    assert "head-sha.txt" in next(s["run"] for s in steps if "head.sha" in str(s.get("env")))


def test_pr_workflow_names_the_action_on_one_line_to_edit() -> None:
    lines = IMPACT.read_text(encoding="utf-8").splitlines()
    action_lines = [i for i, line in enumerate(lines) if "OWNER/aireg@" in line
                    and line.lstrip().startswith("uses:")]
    assert len(action_lines) == 1
    assert "THE ONE LINE TO EDIT" in "\n".join(lines[action_lines[0] - 3:action_lines[0]])
    assert not any(re.match(r"\s*(-\s+)?uses:\s*\./", line) for line in lines)


def test_action_installs_its_own_files_unless_told_otherwise_and_runs_bash_only() -> None:
    action = _load(ACTION)
    inputs = action["inputs"]
    assert set(inputs) == {"version", "source", "working-directory", "base", "python-version",
                           "fail-on-findings"}
    # No release of that name need exist on PyPI (and the name is anyone's to take there).
    assert inputs["version"]["default"] == ""
    assert inputs["source"]["default"] == ""
    assert inputs["working-directory"]["default"] == "."
    assert set(action["outputs"]) >= {"sarif", "markdown", "json", "affected",
                                      "check-exit-code", "report-dir"}
    assert action["runs"]["using"] == "composite"
    assert len(action["description"]) <= 125  # GitHub Marketplace's limit
    for step in _steps(action):
        if "run" in step:
            assert step["shell"] == "bash"
    install = _step(action, "install")
    assert install["env"]["AIREG_SOURCE"] == "${{ inputs.source }}"
    assert 'requirement="aireg==$AIREG_VERSION"' in install["run"]
    assert 'requirement="$GITHUB_ACTION_PATH"' in install["run"]
    assert "$RUNNER_TEMP/aireg-venv" in install["run"]
    run = _step(action, "run")["run"]
    for command in ['check --base "$base" "$@"', "aireg_check --format github",
                    "aireg_check --format sarif", 'impact --base "$base" --format markdown',
                    'impact --base "$base" --format json', "$GITHUB_STEP_SUMMARY"]:
        assert command in run, command
    assert _step(action, "run")["env"]["PR_BASE_SHA"] == (
        "${{ github.event.pull_request.base.sha }}")


# ---------------------------------------------------------------- the action's scripts

AFFECTED_BODY_FOR_ACTION = f"{MARKER}\naireg: **1 feature affected**.\n\n| a | b |\n|---|---|\n"

STUB = r"""#!/usr/bin/env bash
echo "$*" >> "$STUB_LOG"
case "$*" in
  *" check "*"--format github"*) echo "::warning file=a.yaml,line=1::stub"; exit "$STUB_CHECK" ;;
  *" check "*"--format sarif"*) echo '{"version": "2.1.0"}'; exit "$STUB_CHECK" ;;
  *"--format markdown"*) printf '%s' "$STUB_MD"; exit "$STUB_IMPACT" ;;
  *"--format json"*) echo '{}'; exit "$STUB_IMPACT" ;;
esac
exit 9
"""


def _git_repo(path: Path) -> str:
    """A one-commit repository holding an empty registry folder; returns the commit."""
    (path / "registry").mkdir(parents=True)
    (path / "registry" / "aireg.yaml").write_text("apiVersion: aireg/v1\n", encoding="utf-8")
    git = ["git", "-C", str(path), "-c", "user.name=t", "-c", "user.email=t@example.invalid",
           "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "base"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True,
                          text=True)
    return head.stdout.strip()


def _action_step(tmp_path: Path, step_id: str, env: dict[str, str]
                 ) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    """Run one of the action's bash steps the way GitHub runs composite `shell: bash` steps."""
    step = _step(_load(ACTION), step_id)
    script = tmp_path / f"{step_id}.sh"
    script.write_text(step["run"], encoding="utf-8")
    (tmp_path / "runner").mkdir(exist_ok=True)
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    full_env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path),
                "RUNNER_TEMP": str(tmp_path / "runner"), "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(summary), **env}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                            cwd=tmp_path / "repo", env=full_env, text=True,
                            capture_output=True, timeout=60, check=False)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    return result, outputs, summary.read_text(encoding="utf-8")


def _check_and_impact(tmp_path: Path, *, check: int = 0, impact: int = 0,
                      markdown: str = AFFECTED_BODY_FOR_ACTION, base: str = "",
                      pr_base: str | None = None
                      ) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str, str]:
    commit = _git_repo(tmp_path / "repo")
    stub = tmp_path / "aireg"
    stub.write_text(STUB, encoding="utf-8")
    stub.chmod(0o755)
    log = tmp_path / "stub.log"
    log.write_text("", encoding="utf-8")
    env = {"AIREG": str(stub), "REGISTRY_DIR": "registry", "INPUT_BASE": base,
           "PR_BASE_SHA": commit if pr_base is None else pr_base, "STUB_LOG": str(log),
           "STUB_CHECK": str(check), "STUB_IMPACT": str(impact), "STUB_MD": markdown}
    result, outputs, summary = _action_step(tmp_path, "run", env)
    return result, outputs, summary, log.read_text(encoding="utf-8")


def test_action_reports_findings_without_failing_its_run_step(tmp_path: Path) -> None:
    result, outputs, summary, log = _check_and_impact(tmp_path, check=1)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::warning file=a.yaml,line=1::stub" in result.stdout
    assert outputs["check-exit-code"] == "1" and outputs["affected"] == "true"
    report_dir = Path(outputs["report-dir"])
    assert report_dir.parent == tmp_path / "runner"
    assert outputs["sarif"] == str(report_dir / "check.sarif")
    assert Path(outputs["markdown"]).read_text(encoding="utf-8") == AFFECTED_BODY_FOR_ACTION
    assert Path(outputs["json"]).read_text(encoding="utf-8") == "{}\n"
    assert summary == AFFECTED_BODY_FOR_ACTION
    commit = log.split("impact --base ", 1)[1].split()[0]
    assert re.fullmatch(r"[0-9a-f]{40}", commit)
    assert log.splitlines() == [
        f"-C registry check --base {commit} --format github",
        f"-C registry check --base {commit} --format sarif",
        f"-C registry impact --base {commit} --format markdown",
        f"-C registry impact --base {commit} --format json"]


def test_action_runs_the_version_rules_on_a_pull_request(tmp_path: Path) -> None:
    """With the real aireg: a template edited without a version bump fails check, as the
    comment's new findings say (`check` without --base would pass it)."""
    from conftest import GitRepo

    repo = GitRepo(tmp_path / "repo")
    base = repo.commit("registry", GOOD_REGISTRY)
    prompt = repo.root / "registry" / "prompts" / "p.yaml"
    prompt.write_text(prompt.read_text(encoding="utf-8").replace("hi", "hello"),
                      encoding="utf-8")
    aireg = Path(sys.executable).parent / "aireg"
    result, outputs, summary = _action_step(tmp_path, "run", {
        "AIREG": str(aireg), "REGISTRY_DIR": "registry", "INPUT_BASE": "", "PR_BASE_SHA": base,
        "AIREG_NO_CACHE": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == (
        "::error file=registry/prompts/p.yaml,line=3,col=30,title=aireg version-not-bumped::"
        "prompt/p@1.0.0 changed (behavior: spec.template) but its version did not; give it a "
        "new version (aireg bump prompt/p@1.0.0 patch|minor|major)\n")
    assert outputs["check-exit-code"] == "1" and outputs["affected"] == "true"
    sarif = json.loads(Path(outputs["sarif"]).read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["version-not-bumped"]
    assert summary.startswith(MARKER + "\n")


def test_action_sees_when_nothing_is_affected(tmp_path: Path) -> None:
    result, outputs, _, _ = _check_and_impact(
        tmp_path, markdown=f"{MARKER}\naireg: no AI declaration changed and no new findings.\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs["check-exit-code"] == "0" and outputs["affected"] == "false"


def test_action_base_input_wins_over_the_pull_request_base(tmp_path: Path) -> None:
    result, _, _, log = _check_and_impact(tmp_path, base="HEAD", pr_base="f" * 40)
    assert result.returncode == 0, result.stdout + result.stderr
    assert log.splitlines() == [
        "-C registry check --base HEAD --format github",
        "-C registry check --base HEAD --format sarif",
        "-C registry impact --base HEAD --format markdown",
        "-C registry impact --base HEAD --format json"]


def test_action_skips_impact_without_a_base(tmp_path: Path) -> None:
    result, outputs, summary, log = _check_and_impact(tmp_path, pr_base="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs["markdown"] == "" and outputs["affected"] == "false"
    assert log.splitlines() == ["-C registry check --format github",
                                "-C registry check --format sarif"]
    assert summary == ""
    assert ("::notice title=aireg::no base revision (not a pull request and no 'base' input): "
            "impact skipped") in result.stdout


@pytest.mark.parametrize(("kwargs", "code", "message"), [
    ({"check": 2}, 2, "aireg check failed with exit code 2"),
    ({"check": 3}, 3, "aireg check failed with exit code 3"),
    ({"impact": 3}, 3, "aireg impact failed with exit code 3"),
    ({"base": "f" * 40}, 2, "is not in the clone; check out with fetch-depth: 0"),
    ({"base": "--output=x"}, 2, "must be a git revision"),
    ({"markdown": "# no marker\n"}, 3, "did not start with its marker line"),
], ids=["usage error", "internal error", "impact error", "base not fetched", "option as base",
        "no marker"])
def test_action_fails_on_errors(tmp_path: Path, kwargs: dict[str, Any], code: int,
                                message: str) -> None:
    result, _, summary, _ = _check_and_impact(tmp_path, **kwargs)
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stdout
    assert summary == ""


@pytest.mark.parametrize("env", [
    {"AIREG_VERSION": "0.1.0 --index-url https://example.invalid", "AIREG_SOURCE": ""},
    {"AIREG_VERSION": ">=0.1", "AIREG_SOURCE": ""},
    {"AIREG_VERSION": "0.1.0", "AIREG_SOURCE": "--index-url=https://example.invalid"},
], ids=["version with an option", "version range", "source is an option"])
def test_action_install_refuses_odd_inputs_before_installing(tmp_path: Path,
                                                             env: dict[str, str]) -> None:
    (tmp_path / "repo").mkdir()
    result, outputs, _ = _action_step(tmp_path, "install", {"PYTHON": sys.executable, **env})
    assert result.returncode == 2, result.stdout + result.stderr
    assert outputs == {}
    assert not (tmp_path / "runner" / "aireg-venv").exists()


FAKE_PYTHON = r"""#!/usr/bin/env bash
# `python -m venv --clear DIR`: make DIR/bin/python log the pip command, DIR/bin/aireg a version.
[ "$1 $2 $3" = "-m venv --clear" ] || exit 9
mkdir -p "$4/bin"
printf '#!/usr/bin/env bash\necho "$*" >> "%s"\n' "$INSTALL_LOG" > "$4/bin/python"
printf '#!/usr/bin/env bash\necho "aireg, version 0.1.0"\n' > "$4/bin/aireg"
chmod +x "$4/bin/python" "$4/bin/aireg"
"""
PIP = "-m pip install --quiet --disable-pip-version-check --no-input"


def _install(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str],
                                                  dict[str, str], list[str]]:
    """The action's install step with a Python whose venv logs what pip was asked for."""
    (tmp_path / "repo").mkdir()
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON, encoding="utf-8")
    python.chmod(0o755)
    log = tmp_path / "install.log"
    log.write_text("", encoding="utf-8")
    result, outputs, _ = _action_step(tmp_path, "install", {
        "PYTHON": str(python), "INSTALL_LOG": str(log), "AIREG_VERSION": "",
        "AIREG_SOURCE": "", **env})
    return result, outputs, log.read_text(encoding="utf-8").splitlines()


def test_action_installs_from_its_own_checkout_by_default(tmp_path: Path) -> None:
    # GITHUB_ACTION_PATH: where the runner put the action, at the commit `uses:` names.
    result, outputs, pip = _install(tmp_path, GITHUB_ACTION_PATH=str(ROOT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert pip == [f"{PIP} {ROOT}"]
    assert result.stdout == "aireg, version 0.1.0\n"
    assert outputs == {"aireg": f"{tmp_path}/runner/aireg-venv/bin/aireg"}


@pytest.mark.parametrize(("env", "requirement"), [
    ({"AIREG_VERSION": "0.1.0"}, "aireg==0.1.0"),
    ({"AIREG_VERSION": "0.1.0", "AIREG_SOURCE": "./vendor/aireg"}, "./vendor/aireg"),
], ids=["version", "source wins"])
def test_action_installs_a_release_or_a_source_when_given(
        tmp_path: Path, env: dict[str, str], requirement: str) -> None:
    result, _, pip = _install(tmp_path, GITHUB_ACTION_PATH=str(ROOT), **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert pip == [f"{PIP} {requirement}"]


def test_action_without_its_source_asks_for_version_or_source(tmp_path: Path) -> None:
    """A vendored copy of action.yml alone has no aireg to install from."""
    folder = tmp_path / "actions" / "aireg"
    folder.mkdir(parents=True)
    shutil.copy2(ACTION, folder / "action.yml")
    result, outputs, pip = _install(tmp_path, GITHUB_ACTION_PATH=str(folder))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == (
        f"::error title=aireg::the action's folder ({folder}) holds no aireg source "
        "(pyproject.toml); set input 'version' or 'source'\n")
    assert (outputs, pip) == ({}, [])


def test_action_fails_last_on_findings_unless_told_not_to() -> None:
    (*_, last) = _steps(_load(ACTION))
    assert last["if"] == ("steps.run.outputs.check-exit-code == '1' && "
                          "inputs.fail-on-findings == 'true'")
    assert last["run"].rstrip().endswith("exit 1")


# ---------------------------------------------------------------- the artifact reader


def _reader_script() -> str:
    script = _step(_load(COMMENT), "read")["run"]
    assert isinstance(script, str)
    return script


def _zip(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def _read(tmp_path: Path, artifact: Path, head_sha: str = HEAD_SHA
          ) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run the comment workflow's `read` step as the runner would."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    python3 = bin_dir / "python3"
    if not python3.exists():
        python3.symlink_to(sys.executable)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"head_sha": head_sha}}), encoding="utf-8")
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path),
           "GITHUB_EVENT_PATH": str(event), "GITHUB_OUTPUT": str(output),
           "ARTIFACT_ZIP": str(artifact)}
    result = subprocess.run(["bash", "-e", "-c", _reader_script()], env=env, text=True,
                            capture_output=True, timeout=60, check=False)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    return result, outputs


AFFECTED_BODY = (f"{MARKER}\naireg: **1 feature affected**, highest tier **critical**.\n\n"
                 "| Declaration | Change |\n|---|---|\n| `prompt/house-style@3.1.0` | modified |\n")
QUIET_BODY = f"{MARKER}\naireg: no AI declaration changed and no new findings.\n"


def test_reader_accepts_a_genuine_report(tmp_path: Path) -> None:
    artifact = _zip(tmp_path / "a.zip", [("impact.md", AFFECTED_BODY.encode()),
                                         ("head-sha.txt", f"{HEAD_SHA}\n".encode()),
                                         ("check.sarif", b"{}"), ("impact.json", b"{}")])
    result, outputs = _read(tmp_path, artifact)
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs["affected"] == "true"
    assert Path(outputs["body-file"]).read_text(encoding="utf-8") == AFFECTED_BODY


def test_reader_sees_when_nothing_is_affected(tmp_path: Path) -> None:
    artifact = _zip(tmp_path / "a.zip", [("impact.md", QUIET_BODY.encode()),
                                         ("head-sha.txt", HEAD_SHA.encode())])
    result, outputs = _read(tmp_path, artifact)
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs["affected"] == "false"


def test_reader_defangs_mentions_in_a_forged_body(tmp_path: Path) -> None:
    body = f"{MARKER}\ncc @acme/security and @octocat, see `prompt/x@^3` and a@b.example\n"
    artifact = _zip(tmp_path / "a.zip", [("impact.md", body.encode()),
                                         ("head-sha.txt", HEAD_SHA.encode())])
    result, outputs = _read(tmp_path, artifact)
    assert result.returncode == 0, result.stdout + result.stderr
    posted = Path(outputs["body-file"]).read_text(encoding="utf-8")
    assert "@\u200bacme/security" in posted and "@\u200boctocat" in posted
    assert "`prompt/x@^3`" in posted and "a@b.example" in posted


HOSTILE = {
    "no marker": [("impact.md", b"# hello\n"), ("head-sha.txt", HEAD_SHA.encode())],
    "marker not on line 1": [("impact.md", f"\n{MARKER}\nx\n".encode()),
                             ("head-sha.txt", HEAD_SHA.encode())],
    "another commit": [("impact.md", AFFECTED_BODY.encode()), ("head-sha.txt", b"b" * 40)],
    "no head sha": [("impact.md", AFFECTED_BODY.encode())],
    "no body": [("head-sha.txt", HEAD_SHA.encode())],
    "too long": [("impact.md", (AFFECTED_BODY + "x" * 70_000).encode()),
                 ("head-sha.txt", HEAD_SHA.encode())],
    "zip bomb": [("impact.md", MARKER.encode() + b"\n" + b"0" * 50_000_000),
                 ("head-sha.txt", HEAD_SHA.encode())],
    "not utf-8": [("impact.md", MARKER.encode() + b"\n\xff\xfe\n"),
                  ("head-sha.txt", HEAD_SHA.encode())],
    "nul byte": [("impact.md", MARKER.encode() + b"\n\x00\n"),
                 ("head-sha.txt", HEAD_SHA.encode())],
    "workflow commands": [("impact.md", b"::set-output name=affected::true\n::error::pwn\n"),
                          ("head-sha.txt", HEAD_SHA.encode())],
    "twice the same name": [("impact.md", QUIET_BODY.encode()),
                            ("impact.md", AFFECTED_BODY.encode()),
                            ("head-sha.txt", HEAD_SHA.encode())],
    "a directory": [("impact.md/", b""), ("head-sha.txt", HEAD_SHA.encode())],
}


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("case", list(HOSTILE))
def test_reader_rejects_a_hostile_artifact(tmp_path: Path, case: str) -> None:
    artifact = _zip(tmp_path / "a.zip", HOSTILE[case])
    result, outputs = _read(tmp_path, artifact)
    assert result.returncode == 1, result.stdout + result.stderr
    assert outputs == {}
    assert "artifact rejected" in result.stdout
    assert "set-output" not in result.stdout and "pwn" not in result.stdout
    assert not (tmp_path / "aireg-comment" / "comment.md").exists()


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_reader_rejects_what_is_not_a_zip(tmp_path: Path, content: bytes) -> None:
    artifact = tmp_path / "a.zip"
    artifact.write_bytes(content)
    result, outputs = _read(tmp_path, artifact)
    assert result.returncode == 1, result.stdout + result.stderr
    assert outputs == {}
    assert "not a readable zip archive" in result.stdout


def test_reader_never_extracts_anything(tmp_path: Path) -> None:
    artifact = _zip(tmp_path / "a.zip", [("impact.md", QUIET_BODY.encode()),
                                         ("head-sha.txt", HEAD_SHA.encode()),
                                         ("../../escape.sh", b"echo pwned\n")])
    result, _ = _read(tmp_path, artifact)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list(tmp_path.parent.rglob("escape.sh"))
    assert sorted(p.name for p in (tmp_path / "aireg-comment").iterdir()) == ["comment.md"]


# ---------------------------------------------------------------- the github-script steps

HARNESS = r"""
const fs = require('fs');
const scenario = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const script = fs.readFileSync(process.argv[3], 'utf8');
const calls = [];
const outputs = {};
let failed = null;
const core = {
  info: (m) => calls.push(['info', m]),
  notice: (m) => calls.push(['notice', m]),
  setOutput: (k, v) => { outputs[k] = v; },
  setFailed: (m) => { failed = m; },
};
const call = (name, data) => async (params) => {
  calls.push([name, params]);
  return { data: typeof data === 'function' ? data(params) : data };
};
const github = {
  rest: {
    actions: {
      listWorkflowRunArtifacts: call('listWorkflowRunArtifacts', scenario.artifacts || []),
      downloadArtifact: call('downloadArtifact',
        () => new Uint8Array(Buffer.from(scenario.zip || '')).buffer),
    },
    pulls: {
      list: call('pulls.list', (p) => (scenario.pulls || [])
        .filter((pr) => !p.head || pr.head.label === p.head)),
    },
    issues: {
      listComments: call('listComments', scenario.comments || []),
      createComment: call('createComment', { html_url: 'https://example.invalid/new' }),
      updateComment: call('updateComment', {}),
      deleteComment: call('deleteComment', {}),
    },
  },
  paginate: async (route, params, map) => {
    const response = await route(params);
    return map ? map(response, () => {}) : response.data;
  },
};
const context = { repo: { owner: 'acme', repo: 'registry' }, payload: scenario.payload };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', script)(require, github, context, core)
  .then(() => console.log(JSON.stringify({ calls, outputs, failed })))
  .catch((error) => { console.error(error); process.exit(1); });
"""


def _github_script(step_id: str | None) -> str:
    steps = [s for s in _steps(_load(COMMENT)) if "script" in s.get("with", {})]
    (step,) = [s for s in steps if s.get("id") == step_id]
    script = step["with"]["script"]
    assert isinstance(script, str)
    return script


def _node(tmp_path: Path, script: str, scenario: dict[str, Any],
          env: dict[str, str] | None = None) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the github-script steps are not exercised")
    (tmp_path / "harness.js").write_text(HARNESS, encoding="utf-8")
    (tmp_path / "script.js").write_text(script, encoding="utf-8")
    (tmp_path / "scenario.json").write_text(json.dumps(scenario), encoding="utf-8")
    result = subprocess.run([node, tmp_path / "harness.js", tmp_path / "scenario.json",
                             tmp_path / "script.js"], env={**os.environ, **(env or {})},
                            text=True, capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _called(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [params for call, params in report["calls"] if call == name]


RUN = {"id": 77, "head_sha": HEAD_SHA, "head_branch": "fix/house-style",
       "head_repository": {"full_name": "forker/registry", "owner": {"login": "forker"}},
       "pull_requests": []}
HEAD_LABEL = "forker:fix/house-style"
PULL: dict[str, Any] = {"number": 12, "head": {"sha": HEAD_SHA, "label": HEAD_LABEL}}


def _artifact(artifact_id: int, size: int = 1000, *, name: str = ARTIFACT,
              expired: bool = False) -> dict[str, Any]:
    return {"id": artifact_id, "name": name, "size_in_bytes": size, "expired": expired}


def test_download_takes_the_newest_report_artifact(tmp_path: Path) -> None:
    report = _node(tmp_path, _github_script("download"), {
        "payload": {"workflow_run": RUN}, "zip": "PK-bytes",
        "artifacts": [_artifact(1), _artifact(3, expired=True), _artifact(2),
                      _artifact(4, name="other")]}, env={"RUNNER_TEMP": str(tmp_path)})
    assert _called(report, "listWorkflowRunArtifacts")[0]["run_id"] == 77
    assert [p["artifact_id"] for p in _called(report, "downloadArtifact")] == [2]
    assert report["outputs"]["found"] == "true" and report["failed"] is None
    assert Path(report["outputs"]["zip"]).read_bytes() == b"PK-bytes"


def test_download_refuses_an_oversized_artifact(tmp_path: Path) -> None:
    report = _node(tmp_path, _github_script("download"), {
        "payload": {"workflow_run": RUN}, "artifacts": [_artifact(1, size=50 * 1024 * 1024)]},
        env={"RUNNER_TEMP": str(tmp_path)})
    assert _called(report, "downloadArtifact") == []
    assert "limit" in report["failed"]


def test_download_without_an_artifact_posts_nothing(tmp_path: Path) -> None:
    report = _node(tmp_path, _github_script("download"),
                   {"payload": {"workflow_run": RUN}, "artifacts": []},
                   env={"RUNNER_TEMP": str(tmp_path)})
    assert report["outputs"] == {"found": "false"} and report["failed"] is None


def _comment(comment_id: int, body: str, login: str = BOT, kind: str = "Bot") -> dict[str, Any]:
    return {"id": comment_id, "body": body, "user": {"login": login, "type": kind},
            "html_url": f"https://example.invalid/{comment_id}"}


def _upsert(tmp_path: Path, body: str, affected: bool, **scenario: Any) -> dict[str, Any]:
    body_file = tmp_path / "comment.md"
    body_file.write_text(body, encoding="utf-8")
    scenario.setdefault("pulls", [PULL])
    return _node(tmp_path, _github_script(None), {"payload": {"workflow_run": RUN}, **scenario},
                 env={"BODY_FILE": str(body_file), "AFFECTED": "true" if affected else "false",
                      "BOT_LOGIN": BOT})


def test_upsert_creates_the_comment_on_the_pull_request_found_by_head_sha(
        tmp_path: Path) -> None:
    report = _upsert(tmp_path, AFFECTED_BODY, True, comments=[
        _comment(5, f"{MARKER}\nfake, pasted by a person", login="mallory", kind="User")])
    (created,) = _called(report, "createComment")
    assert created["issue_number"] == 12 and created["body"] == AFFECTED_BODY
    assert _called(report, "updateComment") == []
    assert _called(report, "pulls.list")[0]["head"] == HEAD_LABEL


def test_upsert_posts_nothing_when_nothing_is_affected_and_no_comment_exists(
        tmp_path: Path) -> None:
    report = _upsert(tmp_path, QUIET_BODY, False, comments=[])
    assert _called(report, "createComment") == [] and _called(report, "updateComment") == []


def test_upsert_updates_the_bots_comment_and_keeps_only_one(tmp_path: Path) -> None:
    report = _upsert(tmp_path, QUIET_BODY, False, comments=[
        _comment(4, f"{MARKER}\nfake", login="mallory", kind="User"),
        _comment(6, f"{MARKER}\nold report"), _comment(9, f"{MARKER}\nraced report"),
        _comment(7, "unrelated bot comment")])
    (updated,) = _called(report, "updateComment")
    assert updated["comment_id"] == 6 and updated["body"] == QUIET_BODY
    assert [p["comment_id"] for p in _called(report, "deleteComment")] == [9]
    assert _called(report, "createComment") == []


def test_upsert_skips_an_unchanged_body(tmp_path: Path) -> None:
    report = _upsert(tmp_path, AFFECTED_BODY, True,
                     comments=[_comment(6, AFFECTED_BODY.replace("\n", "\r\n"))])
    assert _called(report, "updateComment") == [] and _called(report, "createComment") == []


def test_upsert_finds_a_pull_request_whose_branch_lookup_fails(tmp_path: Path) -> None:
    moved = {"number": 13, "head": {"sha": HEAD_SHA, "label": "someone:else"}}
    report = _upsert(tmp_path, AFFECTED_BODY, True, pulls=[moved], comments=[])
    assert _called(report, "createComment")[0]["issue_number"] == 13


@pytest.mark.parametrize("pulls", [[], [PULL, {**PULL, "number": 14}],
                                   [{"number": 12, "head": {"sha": "c" * 40,
                                                            "label": HEAD_LABEL}}]],
                         ids=["closed", "ambiguous", "pushed since"])
def test_upsert_posts_nothing_without_exactly_one_matching_pull_request(
        tmp_path: Path, pulls: list[dict[str, Any]]) -> None:
    report = _upsert(tmp_path, AFFECTED_BODY, True, pulls=pulls, comments=[])
    assert _called(report, "createComment") == [] and _called(report, "listComments") == []
