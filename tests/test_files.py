"""Reading the working tree: the walk's listing and sizes, and reads that stay whole when a
file changes after the walk."""

from __future__ import annotations

from pathlib import Path

from registry.files import FolderScan, FolderTree


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
