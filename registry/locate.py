"""Turning lazy Pointers into file:line:column, re-reading only the files that need it."""

from __future__ import annotations

from dataclasses import replace

from .files import Tree
from .findings import Finding, Span, SpanOrPointer
from .yamlio import Located, YamlProblem, decode


class Locator:
    def __init__(self, tree: Tree, texts: dict[str, str] | None = None) -> None:
        self.tree = tree
        self.texts = texts if texts is not None else {}
        self._files: dict[str, Located] = {}

    def text(self, path: str) -> str:
        """A file's text: as loaded, or read again (a parallel load keeps only half)."""
        text = self.texts.get(path)
        if text is None:
            data = self.tree.read(path[len(self.tree.prefix):]) or b""
            try:
                text = decode(data)
            except YamlProblem:
                text = ""
        return text

    def document_text(self, path: str, doc: int) -> str:
        """The source text of one document of a file, comments inside it included."""
        return self._located(path).document_text(doc)

    def _located(self, path: str) -> Located:
        located = self._files.get(path)
        if located is None:
            located = self._files[path] = Located(self.text(path))
        return located

    def span(self, at: SpanOrPointer) -> Span:
        if isinstance(at, Span):
            return at
        position = self._located(at.path).position(at.doc, at.keys, at.on_key, at.text_line,
                                                    at.text_hint)
        return Span(at.path, position.line, position.column)

    def locate(self, item: Finding) -> Finding:
        span = self.span(item.at)
        related = tuple(self.span(r) for r in item.related)
        message = item.message
        if related and "{related}" in message:
            message = message.replace("{related}", str(related[0]))
        return replace(item, at=span, related=related, message=message)

    def locate_all(self, findings: list[Finding]) -> list[Finding]:
        return sorted((self.locate(f) for f in findings), key=Finding.sort_key)
