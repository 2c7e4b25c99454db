"""`--format yaml`: a declaration as written in its file, comments kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..views import ShowView


def show(view: ShowView) -> str:
    return f"# {view.decl.path}:{view.line}\n" + view.document
