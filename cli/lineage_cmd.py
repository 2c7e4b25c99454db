"""`aireg lineage REF`: the data REF was built from, in the format asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.render import Format

if TYPE_CHECKING:
    from registry.project import Project


def lineage_output(project: Project, ref: str, fmt: Format) -> str:
    from registry import lineage
    from registry.render import lineage as render

    tree = lineage.build(project.catalog, project.graph, lineage.root_of(project.catalog, ref))
    match fmt:
        case Format.TEXT:
            return render.text(tree)
        case Format.JSON:
            return render.json(tree)
        case Format.MERMAID:
            return render.mermaid(tree)
        case other:
            raise AssertionError(other)
