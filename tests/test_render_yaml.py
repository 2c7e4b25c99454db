"""registry.render.yaml: the declaration as written, under a comment saying where."""

from __future__ import annotations

from reports import prompt

from registry.render.yaml import show
from registry.views import ShowView


def test_the_document_comes_as_written_after_its_place() -> None:
    written = "# tone\napiVersion: aireg/v1\nkind: Prompt  # kept\n"
    view = ShowView(prompt("style", path="prompts/all.yaml", doc=1), 12, (), (), (), (), None,
                    None, written)
    assert show(view) == "# prompts/all.yaml:12\n" + written
