"""Reading a registry from git (`--rev`) in real repositories: old revisions, dirty work trees,
registries in subfolders, links out of the registry, unknown revisions and shallow clones."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CONFIG, GIT_ENV, TEAM, GitRepo, Result, Run, fingerprint


def prompt(name: str, description: str, version: str = "1.0.0", spec: str = 'template: "hi"'
           ) -> str:
    return f"""\
        apiVersion: aireg/v1
        kind: Prompt
        metadata:
          name: {name}
          version: {version}
          owner: team/platform
          description: {description}
        spec:
          {spec}
        """


def registry_files(folder: str = "", **prompts: str) -> dict[str, str | bytes]:
    """aireg.yaml, the platform team and one prompts/NAME.yaml per keyword, under `folder`."""
    files: dict[str, str | bytes] = {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM}
    files |= {f"prompts/{name}.yaml": text for name, text in prompts.items()}
    return {f"{folder}{rel}": text for rel, text in files.items()}


def ls_json(aireg: Run, root: Path, *options: str) -> dict[str, Any]:
    result = aireg("-C", str(root), *options, "ls", "--format", "json")
    assert (result.code, result.err) == (0, "")
    return {d["id"]: d for d in json.loads(result.out)["declarations"]}


def work_tree_state(repo: GitRepo) -> tuple[str, str, dict[str, bytes]]:
    """HEAD, `git status`, and every file's bytes: what reading at --rev must not change."""
    files = {p.relative_to(repo.root).as_posix(): p.read_bytes()
             for p in repo.root.rglob("*") if p.is_file() and ".git" not in p.parts}
    return (repo.git("rev-parse", "HEAD"), repo.git("status", "--porcelain"), files)


@pytest.fixture
def two_commits(git_repo: GitRepo) -> tuple[GitRepo, str]:
    """prompt/a described `first`; then a later commit re-describes it and adds prompt/b."""
    first = git_repo.commit("first", registry_files(a=prompt("a", "first")))
    git_repo.commit("second", {"prompts/a.yaml": prompt("a", "second"),
                               "prompts/b.yaml": prompt("b", "added later")})
    return git_repo, first


# --- --rev reads the object store ---------------------------------------------------------


@pytest.mark.parametrize("rev", ["first", "HEAD~1"])
def test_rev_reads_the_registry_as_it_was(aireg: Run, two_commits: tuple[GitRepo, str],
                                          rev: str) -> None:
    repo, first = two_commits
    rev = first if rev == "first" else rev
    before = work_tree_state(repo)
    old = ls_json(aireg, repo.root, "--rev", rev)
    assert "prompt/b@1.0.0" not in old
    assert old["prompt/a@1.0.0"]["description"] == "first"
    assert ls_json(aireg, repo.root)["prompt/a@1.0.0"]["description"] == "second"
    assert work_tree_state(repo) == before


def test_show_at_a_rev_shows_the_old_text(aireg: Run, two_commits: tuple[GitRepo, str]) -> None:
    repo, first = two_commits
    result = aireg("-C", str(repo.root), "--rev", first, "show", "prompt/a", "--format", "yaml")
    assert result == Result(0, "# prompts/a.yaml:1\n" + textwrap.dedent(prompt("a", "first")), "")


def test_rev_ignores_uncommitted_edits(aireg: Run, two_commits: tuple[GitRepo, str]) -> None:
    repo, _ = two_commits
    repo.write({"prompts/a.yaml": prompt("a", "dirty"), "prompts/c.yaml": prompt("c", "new")})
    (repo.root / "prompts" / "b.yaml").unlink()
    before = work_tree_state(repo)
    at_head = ls_json(aireg, repo.root, "--rev", "HEAD")
    assert at_head["prompt/a@1.0.0"]["description"] == "second"
    assert "prompt/b@1.0.0" in at_head
    assert "prompt/c@1.0.0" not in at_head
    in_work_tree = ls_json(aireg, repo.root)
    assert in_work_tree["prompt/a@1.0.0"]["description"] == "dirty"
    assert sorted(in_work_tree) == ["prompt/a@1.0.0", "prompt/c@1.0.0", "team/platform"]
    assert work_tree_state(repo) == before


def test_rev_finds_the_registry_when_the_work_tree_lost_its_config(
        aireg: Run, two_commits: tuple[GitRepo, str]) -> None:
    repo, _ = two_commits
    (repo.root / "aireg.yaml").unlink()
    assert "prompt/b@1.0.0" in ls_json(aireg, repo.root, "--rev", "HEAD")


# --- paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [(), ("--rev", "HEAD")], ids=["work-tree", "rev"])
def test_a_registry_in_a_subfolder_reports_repository_paths(
        aireg: Run, git_repo: GitRepo, options: tuple[str, ...]) -> None:
    git_repo.commit("registry", registry_files(
        "ai/registry/", a=prompt("a", "in a subfolder", spec='template: "{{ who }}"')))
    root = git_repo.root / "ai" / "registry"
    listed = ls_json(aireg, root, *options)
    assert listed["prompt/a@1.0.0"]["path"] == "ai/registry/prompts/a.yaml"
    assert listed["team/platform"]["path"] == "ai/registry/teams/platform.yaml"
    result = aireg("-C", str(root), *options, "check")
    assert result.out.splitlines()[:2] == [
        "ai/registry/prompts/a.yaml:4:9: info[unused-artifact] nothing uses prompt/a@1.0.0; "
        "remove it if it is no longer needed",
        "ai/registry/prompts/a.yaml:9:17: warning[undeclared-variable] the template uses `who`, "
        "which is not in spec.variables; add it to variables or fix the name",
    ]


def test_the_registry_is_found_from_a_folder_inside_it(aireg: Run, git_repo: GitRepo) -> None:
    git_repo.commit("registry", registry_files("ai/", a=prompt("a", "x")))
    result = aireg("--rev", "HEAD", "ls", cwd=git_repo.root / "ai" / "prompts")
    assert result.code == 0
    assert "ai/prompts/a.yaml:1" in result.out


@pytest.mark.parametrize("target", ["../../outside.j2", "/etc/hostname"],
                         ids=["repository", "absolute"])
@pytest.mark.parametrize("options", [(), ("--rev", "HEAD")], ids=["work-tree", "rev"])
def test_a_template_link_out_of_the_registry_is_a_path_escape(
        aireg: Run, git_repo: GitRepo, target: str, options: tuple[str, ...]) -> None:
    git_repo.write(registry_files("reg/", p=prompt("p", "linked", spec="templateFile: p.j2")))
    git_repo.write({"outside.j2": "secret {{ x }}\n"})
    (git_repo.root / "reg" / "prompts" / "p.j2").symlink_to(target)
    git_repo.commit("a link out")
    result = aireg("-C", str(git_repo.root / "reg"), *options, "check", "--format", "json")
    assert result.code == 1
    escapes = [f for f in json.loads(result.out)["findings"] if f["rule"] == "path-escape"]
    assert escapes == [{
        "rule": "path-escape", "severity": "error",
        "message": "templateFile `p.j2` is a link that leads out of the registry; replace the "
                   "link with the file",
        "path": "reg/prompts/p.yaml", "line": 9, "column": 17,
        "subject": "prompt/p@1.0.0", "field": "spec.templateFile",
        "fingerprint": fingerprint("path-escape", "prompt/p", "spec.templateFile", "p.j2")}]


@pytest.mark.parametrize("options", [
    (),
    ("--rev", "HEAD"),
], ids=["work-tree", "rev"])
def test_a_template_link_inside_the_registry_is_followed(
        aireg: Run, git_repo: GitRepo, options: tuple[str, ...]) -> None:
    git_repo.write(registry_files(p=prompt("p", "linked", spec="templateFile: p.j2")))
    git_repo.write({"prompts/templates/real.j2": "the real template\n"})
    (git_repo.root / "prompts" / "p.j2").symlink_to("templates/real.j2")
    git_repo.commit("a link inside")
    result = aireg("-C", str(git_repo.root), *options, "render", "prompt/p")
    assert result == Result(0, "the real template\n", "")


LOOP = ("{0}:1:1: error[yaml-syntax] this file is a loop of links, which leads to no file, so "
        "aireg cannot read it: point the link at a file, remove it or exclude it")
DANGLING = ("{0}:1:1: error[yaml-syntax] this file is a link to a file that does not exist, so "
            "aireg cannot read it: point the link at a file, remove it or exclude it")


@pytest.mark.parametrize("options", [(), ("--rev", "HEAD")], ids=["work-tree", "rev"])
def test_a_link_that_loops_or_leads_nowhere_is_a_finding(
        aireg: Run, git_repo: GitRepo, options: tuple[str, ...]) -> None:
    git_repo.write(registry_files(a=prompt("a", "still loads")))
    links = {"self.yaml": "self.yaml", "one.yaml": "two.yaml", "two.yaml": "one.yaml",
             "gone.yaml": "prompts/deleted.yaml", "folder.yaml": "prompts"}
    for name, target in links.items():
        (git_repo.root / name).symlink_to(target)
    git_repo.commit("links")
    result = aireg("-C", str(git_repo.root), *options, "check")
    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[:-2] == [
        DANGLING.format("gone.yaml"), LOOP.format("one.yaml"),
        "prompts/a.yaml:4:9: info[unused-artifact] nothing uses prompt/a@1.0.0; remove it if it "
        "is no longer needed",
        LOOP.format("self.yaml"), LOOP.format("two.yaml")]


@pytest.mark.parametrize("options", [(), ("--rev", "HEAD")], ids=["work-tree", "rev"])
def test_the_size_limit_applies_to_what_a_link_points_at(
        aireg: Run, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
        options: tuple[str, ...]) -> None:
    from registry.gitrepo import BlobId
    from registry.gitrepo import GitRepo as Repo
    from registry.yamlio import MAX_FILE_BYTES

    body = b"apiVersion: aireg/v1\nkind: Dataset\ndescription: |\n" + b"  x\n" * 5_242_880
    git_repo.write({**registry_files(a=prompt("a", "still loads")), "data/big.dat": body})
    (git_repo.root / "small.yaml").symlink_to("data/big.dat")
    git_repo.commit("a link to a large file")
    read: list[int] = []  # the size of every blob read whole
    real_read = Repo.read_blob

    def counted(self: Repo, blob: BlobId) -> bytes:
        data = real_read(self, blob)
        read.append(len(data))
        return data

    monkeypatch.setattr(Repo, "read_blob", counted)
    aireg("-C", str(git_repo.root), *options, "check")  # imports and warms every module first
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = aireg("-C", str(git_repo.root), *options, "check")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[:-2] == [
        "prompts/a.yaml:4:9: info[unused-artifact] nothing uses prompt/a@1.0.0; remove it if it "
        "is no longer needed",
        "small.yaml:1:1: error[yaml-syntax] file is 20.0 MiB, over the 4 MiB that aireg reads in "
        "one declaration file: split it into smaller files"]
    assert max(read, default=0) < MAX_FILE_BYTES  # never read whole from git
    assert peak - before < 8 * 1024 * 1024  # nor through memory in one piece


SECRET = "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46c2VjcmV0"
INTO_GIT = ("leads into .git, git's own files, which aireg never reads (a checkout's .git/config "
            "can hold credentials); keep templates in the registry's own files")


@pytest.mark.parametrize("options", [(), ("--rev", "HEAD")], ids=["work-tree", "rev"])
def test_a_template_may_not_read_the_repositorys_git_files(
        aireg: Run, git_repo: GitRepo, options: tuple[str, ...]) -> None:
    # A registry at the repository root, as in a CI checkout whose .git/config holds the
    # token actions/checkout writes.
    git_repo.write(registry_files(p=prompt("p", "up a folder",
                                           spec="templateFile: ../.git/config")))
    git_repo.write({"q.yaml": prompt("q", "at the root", spec="templateFile: .git/config")})
    git_repo.commit("templates into .git")
    git_repo.git("config", "http.https://github.com/.extraheader", SECRET)
    root = str(git_repo.root)
    result = aireg("-C", root, *options, "check", "--format", "json")
    assert result.code == 1
    escapes = [(f["path"], f["line"], f["column"], f["severity"], f["message"])
               for f in json.loads(result.out)["findings"] if f["rule"] == "path-escape"]
    assert escapes == [
        ("prompts/p.yaml", 9, 17, "error", f"templateFile `../.git/config` {INTO_GIT}"),
        ("q.yaml", 9, 17, "error", f"templateFile `.git/config` {INTO_GIT}")]
    assert aireg("-C", root, *options, "render", "prompt/q") == Result(
        2, "", f"aireg: error: prompt/q@1.0.0 has no readable template: templateFile "
        f"`.git/config` {INTO_GIT}\n")
    bom = aireg("-C", root, *options, "bom")
    assert bom.code == 1
    assert "extraheader" not in bom.out + bom.err
    assert "AUTHORIZATION" not in bom.out + bom.err


def test_a_template_link_loop_at_a_revision(aireg: Run, git_repo: GitRepo) -> None:
    git_repo.write(registry_files(p=prompt("p", "loops", spec="templateFile: loop.j2")))
    (git_repo.root / "prompts" / "loop.j2").symlink_to("loop.j2")
    git_repo.commit("a link loop")
    (git_repo.root / "prompts" / "loop.j2").unlink()  # the working tree is not read
    result = aireg("-C", str(git_repo.root), "--rev", "HEAD", "check")
    assert result.code == 1
    assert [line for line in result.out.splitlines() if "error[" in line] == [
        "prompts/p.yaml:9:17: error[template] templateFile `loop.j2` is a link that leads "
        "round in a loop; replace the link with the file"]


def test_an_enormous_template_at_a_revision_is_refused_unread(
        aireg: Run, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.gitrepo import GitTree

    git_repo.write(registry_files(p=prompt("p", "huge", spec="templateFile: p.j2")))
    with (git_repo.root / "huge.txt").open("wb") as out:
        out.truncate(5 * 1024 * 1024)
    (git_repo.root / "prompts" / "p.j2").symlink_to("../huge.txt")
    git_repo.commit("a huge template behind a link")
    read: list[str] = []
    real_read = GitTree.read

    def recording_read(self: GitTree, rel: str) -> bytes | None:
        read.append(rel)
        return real_read(self, rel)

    monkeypatch.setattr(GitTree, "read", recording_read)
    result = aireg("-C", str(git_repo.root), "--rev", "HEAD", "check")
    assert result.code == 1
    assert [line for line in result.out.splitlines() if "error[" in line] == [
        "prompts/p.yaml:9:17: error[template] templateFile `p.j2` is 5.0 MiB, over the 4 MiB "
        "that aireg reads in one template: split it into prompts that include each other"]
    assert "prompts/p.yaml" in read
    assert "prompts/p.j2" not in read


# --- revisions that cannot be read --------------------------------------------------------


def test_an_unknown_revision_exits_2_with_the_fetch_depth_hint(
        aireg: Run, two_commits: tuple[GitRepo, str]) -> None:
    repo, _ = two_commits
    assert aireg("-C", str(repo.root), "--rev", "no-such-branch", "ls") == Result(
        2, "", "aireg: error: unknown git revision `no-such-branch`: check the name, and that it "
        "is fetched (in CI, check out with fetch-depth: 0)\n")


@pytest.fixture
def shallow_clone(two_commits: tuple[GitRepo, str], tmp_path: Path) -> tuple[Path, str]:
    """A `git clone --depth 1` of two_commits, and the full id of the commit it lacks."""
    repo, first = two_commits
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.root.as_uri(), str(clone)],
                   env={**os.environ, **GIT_ENV}, check=True)
    assert (clone / ".git" / "shallow").exists()
    return clone, first


def test_a_shallow_clone_reads_the_revision_it_has(aireg: Run,
                                                   shallow_clone: tuple[Path, str]) -> None:
    clone, _ = shallow_clone
    assert "prompt/b@1.0.0" in ls_json(aireg, clone, "--rev", "HEAD")


SHALLOW_HINT = ("this is a shallow clone that lacks it: fetch the history (git fetch "
                "--unshallow, or fetch-depth: 0 in actions/checkout)")


@pytest.mark.parametrize("rev", [
    "first",
    "HEAD~1",
])
def test_a_shallow_clone_without_the_revision_says_so(
        aireg: Run, shallow_clone: tuple[Path, str], rev: str) -> None:
    clone, first = shallow_clone
    rev = first if rev == "first" else rev
    assert aireg("-C", str(clone), "--rev", rev, "ls") == Result(
        2, "", f"aireg: error: unknown git revision `{rev}`: {SHALLOW_HINT}\n")


def test_rev_outside_git_says_git_is_needed(aireg: Run,
                                            make_registry: Callable[..., Path]) -> None:
    root = make_registry({})
    assert aireg("-C", str(root), "ls").code == 0
    assert aireg("-C", str(root), "--rev", "HEAD", "ls") == Result(
        2, "", "aireg: error: --rev needs git, and this registry is not inside a git "
        "repository\n")
