"""registry/locate.py: lazy Pointers into file:line:column, reading a file only when a finding
in it is shown."""

from __future__ import annotations

from pathlib import Path

from conftest import write_files

from registry.files import FolderTree
from registry.findings import Pointer, Span, finding
from registry.locate import Locator

TEXT = "apiVersion: aireg/v1\nkind: Team\nmetadata:\n  name: platform\nspec:\n  members: [a, b]\n"


def test_a_pointer_becomes_the_place_of_its_value_or_key(tmp_path: Path) -> None:
    write_files(tmp_path, {"teams/t.yaml": TEXT})
    locator = Locator(FolderTree(tmp_path, "reg/"))
    assert locator.span(Pointer("reg/teams/t.yaml", 0, ("metadata", "name"))) == Span(
        "reg/teams/t.yaml", 4, 9)
    assert locator.span(Pointer("reg/teams/t.yaml", 0, ("spec", "members", 1))) == Span(
        "reg/teams/t.yaml", 6, 16)
    assert locator.span(Pointer("reg/teams/t.yaml", 0, ("spec",), on_key=True)) == Span(
        "reg/teams/t.yaml", 5, 1)
    assert locator.span(Span("x", 1, 2)) == Span("x", 1, 2)


def test_texts_loaded_already_are_not_read_again(tmp_path: Path) -> None:
    locator = Locator(FolderTree(tmp_path, ""), {"t.yaml": TEXT})  # no such file on disk
    assert locator.text("t.yaml") == TEXT
    assert locator.span(Pointer("t.yaml", 0, ("kind",))) == Span("t.yaml", 2, 7)
    assert locator.text("missing.yaml") == ""


def test_findings_are_located_sorted_and_name_what_they_relate_to(tmp_path: Path) -> None:
    locator = Locator(FolderTree(tmp_path, ""), {"t.yaml": TEXT})
    later = finding("duplicate", "declared twice (first at {related})",
                    Pointer("t.yaml", 0, ("spec", "members")),
                    (Pointer("t.yaml", 0, ("metadata", "name")),))
    earlier = finding("schema", "m", Pointer("t.yaml", 0, ("kind",)))
    first, second = locator.locate_all([later, earlier])
    assert (first.at, first.message) == (Span("t.yaml", 2, 7), "m")
    assert (second.at, second.message) == (Span("t.yaml", 6, 12),
                                           "declared twice (first at t.yaml:4:9)")
    assert second.related == (Span("t.yaml", 4, 9),)
