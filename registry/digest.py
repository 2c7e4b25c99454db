"""The canonical content digest of a declaration version (SPEC section 11).

It hashes what the model is sent and what it may call, never how the YAML is written: key
order, quoting, comments, flow or block style and a template inline or in a templateFile all
give the same digest. For a Prompt that is its template text with every literal include
replaced by the included prompt's own text (the version the prompt's `includes` resolves to,
expanded the same way), its variables, its model's provider, id and revision, and the tools it
may call (each with the server's digest); for every other kind, its spec, each ref replaced by
the digest of what it resolves to. Metadata (owner, description, labels, deprecation, and the
version itself) is not content, so two versions with the same content share a digest.

A running service reports the digest it loaded; `environments` maps it back to a version.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from . import kinds
from .catalog import REF_FIELDS, Catalog
from .decl import Decl
from .refs import NodeId, Ref

# `{% include "prompt/x" %}` with a literal name, whitespace control and the optional Jinja
# modifiers kept apart: the markers change the text the model receives, so they stay.
_INCLUDE = re.compile(
    r"\{%(?P<left>[-+]?)\s*include\s+(?P<quote>[\"'])(?P<name>[^\"'{}\\]+)(?P=quote)"
    r"(?:\s+ignore\s+missing)?(?:\s+(?:with|without)\s+context)?\s*(?P<right>[-+]?)%\}")
_DOCUMENTATION = {"card", "approach"}
_MAX_DEPTH = 32  # deeper include chains are a template finding already; stop expanding


class Digests:
    """Digests of a catalog's declarations, each computed once."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._done: dict[NodeId, str] = {}
        self._busy: set[NodeId] = set()  # a cycle (reported by check) ends at the ref text

    def of(self, decl: Decl) -> str:
        found = self._done.get(decl.id)
        if found is None:
            self._busy.add(decl.id)
            try:
                payload = self.content(decl)
            finally:
                self._busy.discard(decl.id)
            text = json.dumps(payload, sort_keys=True, ensure_ascii=False,
                              separators=(",", ":"))
            found = "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogateescape")
                                               ).hexdigest()
            self._done[decl.id] = found
        return found

    def content(self, decl: Decl) -> dict[str, Any]:
        """What the digest hashes, as a JSON-ready value."""
        model = decl.model
        if isinstance(model, kinds.Prompt):
            return self._prompt(decl, model.spec)
        # Fields left at their defaults are left out, so a field added to a kind keeps every
        # digest; the model card and training approach document a version and change nothing
        # it does.
        spec: dict[str, Any] = model.spec.model_dump(mode="json", exclude_defaults=True,
                                                     exclude=_DOCUMENTATION)
        for field in REF_FIELDS.get(decl.kind, ()):
            name = field.keys[-1]
            value = spec.get(name)
            if value is None:
                continue
            spec[name] = ([self._ref(text) for text in value] if field.many
                          else self._ref(value))
        if isinstance(model, kinds.Environment) and "deploys" in spec:
            spec["deploys"] = sorted(spec["deploys"])
        return {"kind": decl.kind, "spec": spec}

    def _ref(self, text: str) -> str:
        """A ref as the digest of what it resolves to (the ref itself when it resolves to
        nothing, or back into a cycle), with its #tool."""
        ref = Ref.parse(text)
        target = self.catalog.resolve(ref)
        if target is None or target.id in self._busy:
            return text
        member = f"#{ref.member}" if ref.member else ""
        return self.of(target) + member

    def _prompt(self, decl: Decl, spec: kinds.PromptSpec) -> dict[str, Any]:
        model: dict[str, Any] | str | None = None
        if spec.model is not None:
            target = self.catalog.resolve(Ref.parse(spec.model))
            if isinstance(target.model if target else None, kinds.Model):
                assert target is not None and isinstance(target.model, kinds.Model)
                pin = target.model.spec
                model = {"provider": pin.provider, "modelId": pin.modelId,
                         "revision": pin.revision}
            else:
                model = spec.model
        tools = sorted(self._ref(text) for text in spec.tools)
        return {"kind": "Prompt", "template": self.source(decl), "model": model,
                "tools": tools, "variables": sorted(set(spec.variables))}

    def source(self, decl: Decl, depth: int = 0) -> str:
        """A prompt's template text with its literal includes replaced by the text of the
        prompts they resolve to, expanded in turn (the rendered source, variables left)."""
        text = decl.template or ""
        if depth >= _MAX_DEPTH or "include" not in text:
            return text
        spec = decl.model.spec
        assert isinstance(spec, kinds.PromptSpec)
        pins: dict[tuple[str, str], Decl] = {}
        for written in spec.includes:
            ref = Ref.parse(written)
            target = self.catalog.resolve(ref)
            if target is not None:
                pins[ref.key] = target

        def expand(match: re.Match[str]) -> str:
            try:
                key = Ref.parse(match["name"]).key
            except ValueError:
                return match[0]
            target = pins.get(key)
            if target is None or target.id in self._busy:
                return match[0]  # not listed in includes: a template finding says so
            self._busy.add(target.id)
            try:
                inner = self.source(target, depth + 1)
            finally:
                self._busy.discard(target.id)
            # Jinja comments carry the tag's whitespace control, so the text renders the same.
            left = f"{{#{match['left']} #}}" if match["left"] else ""
            right = f"{{# {match['right']}#}}" if match["right"] else ""
            return left + inner + right

        return _INCLUDE.sub(expand, text)


def digest(catalog: Catalog, decl: Decl) -> str:
    """`sha256:<64 hex>`: the canonical content digest of one declaration version."""
    return Digests(catalog).of(decl)
