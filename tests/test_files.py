"""Reading the working tree: the walk's listing and sizes, and reads that stay whole when a
file changes after the walk."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.files import (
    FolderScan,
    FolderTree,
    GlobError,
    Globs,
    check_glob,
    excluded,
    selected,
)


def test_a_file_that_grew_after_the_walk_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"x" * 10)
    tree = FolderTree(tmp_path, "")
    assert [e.rel for e in tree.files()] == ["a.yaml"]
    (tmp_path / "a.yaml").write_bytes(b"y" * 3_000_000)
    assert tree.read("a.yaml") == b"y" * 3_000_000


def test_a_file_that_shrank_after_the_walk_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"x" * 5000)
    tree = FolderTree(tmp_path, "")
    tree.files()
    (tmp_path / "a.yaml").write_bytes(b"short")
    assert tree.read("a.yaml") == b"short"


def test_a_large_linked_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "big.j2").write_bytes(b"z" * 200_000)
    (tmp_path / "link.j2").symlink_to("big.j2")
    tree = FolderTree(tmp_path, "")
    listing = {e.rel: e.is_link for e in tree.files()}
    assert listing == {"big.j2": False, "link.j2": True}
    assert tree.read("link.j2") == b"z" * 200_000


def test_missing_files_and_folders_read_as_nothing(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    tree = FolderTree(tmp_path, "")
    tree.files()
    assert tree.read("gone.yaml") is None
    assert tree.read("sub") is None
    assert tree.read("gone/x.yaml") is None


def test_files_come_before_subfolders_each_by_name(tmp_path: Path) -> None:
    for rel in ["b.yaml", "a/z.yaml", "a/b/c.yaml", "a.yaml", "ab/x.yaml", "a/a.yaml"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    assert [e.rel for e in FolderTree(tmp_path, "").files()] == [
        "a.yaml", "b.yaml", "a/a.yaml", "a/z.yaml", "a/b/c.yaml", "ab/x.yaml"]


def test_the_state_changes_with_any_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("one", encoding="utf-8")
    before, _ = FolderScan(tmp_path).state()
    assert FolderScan(tmp_path).state()[0] == before
    (tmp_path / "a.yaml").write_text("two!", encoding="utf-8")
    assert FolderScan(tmp_path).state()[0] != before


# --- include and exclude globs -------------------------------------------------------------

@pytest.mark.parametrize(("glob", "matching", "not_matching"), [
    ("**/*.yaml", ["a.yaml", "x/a.yaml", "x/y/a.yaml"], ["a.yml", "x/a.yaml/b"]),
    ("*.yaml", ["a.yaml", ".yaml"], ["x/a.yaml"]),
    ("prompts/**", ["prompts/a.yaml", "prompts/x/a.yaml", "prompts/"], ["prompts", "p/a"]),
    ("a/**/b.yaml", ["a/b.yaml", "a/x/b.yaml", "a/x/y/b.yaml"], ["ab.yaml", "a/xb.yaml"]),
    ("**.yaml", ["a.yaml", "x/y/a.yaml"], ["a.yml"]),
    ("data/?.yaml", ["data/a.yaml"], ["data/ab.yaml", "data//.yaml"]),
    ("[a-c]*.yaml", ["a.yaml", "cat.yaml"], ["d.yaml", "/a.yaml"]),
    ("[!a-c]?", ["dd", "zz"], ["ad", "/x", "d/"]),
    ("[]x].yaml", ["].yaml", "x.yaml"], ["y.yaml"]),
    ("[[]x]", ["[x]"], ["x]", "[x"]),
    ("***.yaml", ["a.yaml", "x/a.yaml"], ["a.yml"]),
])
def test_globs_match_as_documented(glob: str, matching: list[str],
                                   not_matching: list[str]) -> None:
    globs = Globs([glob])
    assert [path for path in matching + not_matching if globs.match(path)] == matching


def test_an_excluded_folder_excludes_what_is_in_it() -> None:
    exclude = Globs([".github/**", "vendor"])
    assert [path for path in [".github", ".github/ci.yaml", "vendor", "vendor/a.yaml", "docs"]
            if excluded(path, exclude)] == [".github", ".github/ci.yaml", "vendor"]
    assert selected("a.yaml", Globs(["**/*.yaml"]), exclude)
    assert not selected(".github/ci.yaml", Globs(["**/*.yaml"]), exclude)
    assert not selected("a.yaml", Globs([]), Globs([]))


def reference(glob: str) -> re.Pattern[str]:
    """The same globs as a backtracking regex: right, but exponential on runs of stars."""
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            c = glob[i]
            out.append({"*": "[^/]*", "?": "[^/]"}.get(c, re.escape(c)))
            i += 1
    return re.compile("".join(out))


@given(st.text("ab/*?", max_size=8), st.text("ab/", max_size=10))
@settings(max_examples=500, deadline=None)
def test_globs_match_as_a_regex_would(glob: str, path: str) -> None:
    assert Globs([glob]).match(path) == bool(reference(glob).fullmatch(path))


def test_matching_does_not_backtrack(monkeypatch: pytest.MonkeyPatch) -> None:
    # A backtracking regex takes 40 s on the first and longer than anyone waits on the others.
    steps = 0
    real_step = Globs._step

    def counted(self: Globs, state: int, c: str) -> int:
        nonlocal steps
        steps += 1
        return real_step(self, state, c)

    monkeypatch.setattr(Globs, "_step", counted)
    path = "a" * 4000
    for glob in ["a" + "*" * 18 + "b", "*a" * 30 + "*b", "**a" * 30 + "**b", "**/" * 50 + "b"]:
        steps = 0
        globs = Globs([glob])
        assert not globs.match(path)
        assert not globs.match(path)
        assert steps <= len(path)  # at most one new step a character, then only lookups


@pytest.mark.parametrize(("glob", "problem"), [
    ("[z-a].yaml", "the glob `[z-a].yaml` has the range `z-a`, which runs backwards: write "
                   "`a-z`"),
    ("data/[ab.yaml", "the glob `data/[ab.yaml` opens a `[` (character 6) that no `]` closes: "
                      "close it, or write `[[]` to match a `[` itself"),
    ("[]", "the glob `[]` opens a `[` (character 1) that no `]` closes: close it, or write "
           "`[[]` to match a `[` itself"),
])
def test_a_glob_that_cannot_be_used_says_why(glob: str, problem: str) -> None:
    with pytest.raises(GlobError) as raised:
        check_glob(glob)
    assert str(raised.value) == problem
    with pytest.raises(GlobError):
        Globs(["**/*.yaml", glob])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_not_listed(tmp_path: Path) -> None:
    # Reading one would wait for a writer for ever.
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "link.yaml").symlink_to("pipe.yaml")
    (tmp_path / "a.yaml").write_text("x", encoding="utf-8")
    assert [e.rel for e in FolderTree(tmp_path, "").files()] == ["a.yaml"]
