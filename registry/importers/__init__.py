"""`aireg import`: declarations from the files teams already have, one module per format.

Every importer is a function `(source, context) -> list[Draft]` that reads one file and says
which declarations it holds; `write.plan` turns the drafts into new files or span edits of
the declarations an earlier import wrote (found by the source they record, `records`).
A problem with a source is raised as `SourceProblem` at its place in the file, or added to
`context.findings` when the rest of the file can still be imported.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..findings import Finding, Span, finding

if TYPE_CHECKING:
    from ..catalog import Catalog
    from .records import Record

# Where a new declaration of each kind is written, under the output folder.
FOLDERS = {"Model": "models", "Prompt": "prompts", "Adapter": "adapters",
           "Dataset": "datasets", "McpServer": "mcp", "Eval": "evals"}


@dataclass
class Draft:
    """One declaration a source holds: its kind, name, and the fields the import owns
    (dotted paths such as `spec.baseModel`, in the order they are written)."""

    kind: str
    name: str
    fields: dict[str, Any]
    version: str = "1.0.0"  # for a new declaration; an existing one keeps its own


@dataclass(frozen=True)
class Source:
    path: str  # from the repository root
    text: str
    digest: str  # sha256 hex of the file's bytes

    def at(self, line: int = 1, column: int = 1) -> Span:
        return Span(self.path, line, column)


class SourceProblem(Exception):
    """The source cannot be imported: one finding, at its place in the file."""

    def __init__(self, item: Finding) -> None:
        super().__init__(item.message)
        self.finding = item


def problem(source: Source, message: str, line: int = 1, column: int = 1) -> SourceProblem:
    return SourceProblem(unreadable(source, message, line, column))


def unreadable(source: Source, message: str, line: int = 1, column: int = 1) -> Finding:
    return finding("unreadable-source", message, source.at(line, column), value=source.path)


def ambiguous(source: Source, message: str, line: int = 1, column: int = 1) -> Finding:
    return finding("import-ambiguous", message, source.at(line, column), value=source.path)


@dataclass
class Context:
    """What an importer may consult: the registry as loaded, the records of earlier
    imports, and the drafts of this run (a promptfoo config imported with its prompts)."""

    catalog: Catalog
    records: list[Record]
    findings: list[Finding] = field(default_factory=list)
    drafted: dict[str, list[Draft]] = field(default_factory=dict)  # source path -> drafts
    # Declarations an earlier import of a source wrote that it no longer describes:
    # (source path, kind, name, why); write.plan drops their records.
    released: list[tuple[str, str, str, str]] = field(default_factory=list)
    # What a source holds of a kind, by name: a declaration of that kind its earlier import
    # wrote, which no draft of this run updates and no name here names, is gone from it:
    # (source path, kind, names, why).
    holds: list[tuple[str, str, frozenset[str], str]] = field(default_factory=list)

    def model_named(self, provider: str, model_id: str) -> str | None:
        """The name of the Model pin of `model_id` on `provider`: a declared one, or one
        drafted in this run; None when there is none."""
        from ..modelids import normalize

        wanted = normalize(provider, model_id)
        for decl in self.catalog.of_kind("Model"):
            spec = decl.model.spec
            if spec.provider == provider and normalize(provider, spec.modelId) == wanted:
                return decl.name
        for drafts in self.drafted.values():
            for draft in drafts:
                if draft.kind == "Model" and draft.fields.get("spec.provider") == provider \
                        and normalize(provider, str(draft.fields.get("spec.modelId"))) == wanted:
                    return draft.name
        return None

    def imported_from(self, path: str, kind: str) -> list[str]:
        """The names of the `kind` declarations imported from `path` (recorded or drafted)."""
        names = [r.name for r in self.records if r.source == path and r.kind == kind]
        names += [d.name for d in self.drafted.get(path, []) if d.kind == kind]
        return sorted(set(names))

    def edited(self, path: str, kind: str, name: str, key: str) -> bool:
        """Whether field `key` of the `kind` declaration `name` that `path` was imported
        into holds another value than that import wrote (it was edited by hand)."""
        from .records import field_digest

        for record in self.records:
            if (record.source, record.kind, record.name) != (path, kind, name):
                continue
            owned, decls = record.fields.get(key), self.catalog.by_key.get((kind, name))
            if owned is None or not decls:
                return False
            value: Any = decls[-1].model
            for part in key.split("."):
                value = getattr(value, part, None)
            return value is not None and field_digest(value) != owned
        return False


def base_pin(source: Source, context: Context, base: str, fields: dict[str, Any]
             ) -> tuple[str, Draft | None]:
    """The name of the Model pin of an adapter's base (a Hugging Face repo id), and the
    draft to write for it: None when a pin this source did not write covers it.

    The pin this source's earlier import wrote is that base's: once the source names another
    base (the adapter was trained again), the old pin is released, not rewritten, since other
    adapters may be trained on it too, and the new base gets its own pin. A pin whose modelId
    was edited by hand stays this source's pin: the user's word stands."""
    previous = context.imported_from(source.path, "Model")
    model = context.model_named("huggingface", base)
    if model is None:
        model = next((name for name in previous
                      if context.edited(source.path, "Model", name, "spec.modelId")), None)
    for name in previous:
        if name != model:
            context.released.append((source.path, "Model", name,
                                     f"{source.path} now names the base {base}"))
    if model is not None and model not in previous:
        return model, None
    model = model or name_of(base.rsplit("/", 1)[-1])
    return model, Draft("Model", model, fields)


def no_pin(source: Source, context: Context, written: str, provider: str, model_id: str,
           pattern: str) -> None:
    """Say, at the line `pattern` finds, that a prompt's model has no pin to refer to."""
    line, column = line_of(source.text, pattern)
    context.findings.append(ambiguous(
        source, f"model `{written}` has no Model pin in the registry; spec.model is left out: "
        f"declare a Model (provider: {provider}, modelId: {model_id}) and import again", line,
        column))


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def name_of(text: str) -> str:
    """A declaration name from a file, folder or repo name (`Meta-Llama-3-8B` ->
    `meta-llama-3-8b`)."""
    name = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("._-")
    return name[:128] or "imported"


def line_of(text: str, pattern: str, start: int = 0) -> tuple[int, int]:
    """The line and column of the first match of `pattern` (a regex) in `text`."""
    found = re.compile(pattern, re.MULTILINE).search(text, start)
    if found is None:
        return 1, 1
    offset = found.start()
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def front_matter(source: Source, what: str) -> tuple[dict[str, Any], str, int]:
    """A file's YAML front matter, its body, and the body's first line (1-based)."""
    import yaml

    text = source.text.lstrip("\ufeff")
    if not text.startswith("---"):
        raise problem(source, f"this {what} has no front matter: it must start with a `---` "
                      "line, then YAML, then `---`")
    end = re.search(r"\n---[ \t]*(?:\r?\n|$)", text)
    if end is None:
        raise problem(source, f"the front matter of this {what} has no closing `---` line; "
                      "end the YAML with a line holding `---`")
    header = text[text.index("\n") + 1 if "\n" in text else 3:end.start() + 1]
    try:
        data = yaml.load(header, Loader=yaml.CSafeLoader) if header.strip() else {}
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 2) if mark else 1
        column = (mark.column + 1) if mark else 1
        raise problem(source, f"the front matter is not valid YAML: {error.problem}; fix it "
                      "and import again", line, column) from None
    except yaml.YAMLError as error:
        raise problem(source, f"the front matter is not valid YAML: {error}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise problem(source, "the front matter must be a mapping of keys", 2)
    body = text[end.end():]
    body_line = text.count("\n", 0, end.end()) + 1
    return data, body, body_line


Importer = Callable[[Source, Context], list[Draft]]


def importers() -> dict[str, Importer]:
    """KIND -> its importer (`aireg import KIND`)."""
    from . import dotprompt, hf_card, mcp, peft, promptfoo, prompty

    return {"peft": peft.read, "hf-card": hf_card.read, "mcp": mcp.read,
            "dotprompt": dotprompt.read, "prompty": prompty.read,
            "promptfoo": promptfoo.read}


KINDS = ("peft", "hf-card", "mcp", "dotprompt", "prompty", "promptfoo")
