"""Report objects for the commands that are not analyses: what `ls`, `show`, `deps` and
`graph` print, built from the catalog and graph, so that renderers need neither."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .refs import Ref

if TYPE_CHECKING:
    from .catalog import Catalog
    from .load import Decl
    from .project import Project


def highest(catalog: Catalog, ref: str) -> Decl:
    """The declaration a ref names: the highest version its range admits (an error naming
    the ref when it names nothing)."""
    found = catalog.lookup(ref)
    resolved = catalog.resolve(Ref.parse(ref))
    return resolved if resolved is not None else found[-1]


def line_of(project: Project, decl: Decl) -> int:
    """The line a declaration starts on in its file."""
    return project.locator.span(decl.at()).line
