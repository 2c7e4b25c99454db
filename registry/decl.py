"""A validated declaration and where it was written: what every analysis works on."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import kinds
from .findings import Pointer
from .refs import NodeId, node_id


@dataclass(eq=False, slots=True)
class Decl:
    """One validated declaration and where it was written."""

    model: kinds.Declaration
    path: str  # relative to the repository root
    doc: int  # index of the document in its file
    template: str | None = None  # the prompt's template text, inline or from templateFile
    template_path: str | None = None  # the templateFile, relative to the repository root
    # Read from the model once: the analyses ask for them hundreds of thousands of times.
    kind: str = field(init=False)
    name: str = field(init=False)
    version: str | None = field(init=False)
    owner: str | None = field(init=False)
    id: NodeId = field(init=False)

    def __post_init__(self) -> None:
        model = self.model
        self.kind = model.kind
        self.name = model.name
        self.version = model.version
        self.owner = model.owner
        self.id = node_id(self.kind, self.name, self.version)

    def at(self, *keys: str | int, on_key: bool = False) -> Pointer:
        return Pointer(self.path, self.doc, keys, on_key=on_key)
