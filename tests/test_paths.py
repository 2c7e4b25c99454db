"""registry/paths.py: paths a declaration names, judged before any file is touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.files import FolderTree
from registry.paths import reaches_git, shown_path, unusable_path


def test_a_path_is_quoted_short_and_inert() -> None:
    assert shown_path("prompts/a.j2") == "prompts/a.j2"
    assert shown_path("a\x1b[31m.j2") == "a\\x1b[31m.j2"
    long = "x" * 100
    assert shown_path(long) == "x" * 60 + "…"


@pytest.mark.parametrize(("written", "why"), [
    ("a\0b", "holds a NUL character, which no file name can"),
    ("a\ud800", "holds a character that no file name can (an unpaired surrogate)"),
    ("n" * 256, "is 256 bytes long, more than a file system takes (255 bytes a name, 4096 "
     "in all)"),
    ("a/" * 2049, "is 4098 bytes long, more than a file system takes (255 bytes a name, 4096 "
     "in all)"),
])
def test_a_path_no_file_system_could_hold_says_why(written: str, why: str) -> None:
    assert unusable_path(written) == why


def test_an_ordinary_path_is_usable() -> None:
    assert unusable_path("templates/a.j2") is None
    assert unusable_path("n" * 255) is None


@pytest.mark.parametrize("rel", [".git/config", "sub/.git/HEAD", ".GIT/config", ".git./config",
                                 "GIT~1/config", ".g\u200cit/config"])
def test_every_spelling_of_git_reaches_git(tmp_path: Path, rel: str) -> None:
    assert reaches_git(FolderTree(tmp_path, ""), rel)


def test_a_link_into_git_reaches_git(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (tmp_path / "innocent.j2").symlink_to(tmp_path / ".git" / "config")
    tree = FolderTree(tmp_path, "")
    assert reaches_git(tree, "innocent.j2")
    assert not reaches_git(tree, "gitignore.j2")
