"""From drafts to files: a new file for each new declaration, span edits for the ones an
earlier import wrote (found by the source they record). A field whose value is no longer
what the import wrote was edited by hand, and is kept; every other line of the file stays
as it was (the edit is read back and refused if anything else would change)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from ..edit import (
    _block_keys_column,
    _content_end,
    _double_quoted,
    _Edit,
    _entry,
    _flow_items,
    _in_flow,
    _lines_after,
    _scalar,
    _Source,
)
from ..findings import AiregError, Finding, Span, finding
from ..refs import node_id
from . import FOLDERS, Context, Draft, Source, SourceProblem, importers
from .records import Record, field_digest, header, of_registry

if TYPE_CHECKING:
    from ..project import Project

_MISSING = object()


@dataclass
class Change:
    path: Path  # on disk
    shown: str  # from the repository root
    before: str | None  # None: a new file
    after: str


@dataclass
class Outcome:
    changes: list[Change] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class _Plan:
    project: Project
    importer: str
    root: Path  # the repository root
    out: Path | None  # None: not given (plan)
    owner: str | None
    context: Context
    outcome: Outcome = field(default_factory=Outcome)
    texts: dict[Path, tuple[str, str | None]] = field(default_factory=dict)  # after, before
    matched: set[int] = field(default_factory=set)  # the records a draft updates, by id()


def plan(project: Project, importer: str, sources: list[Source], root: Path,
         out: Path | None, owner: str | None) -> Outcome:
    """What importing `sources` with `importer` writes, and the findings on the way.
    Without `out`, a new declaration goes beside the ones the same source's earlier import
    wrote, else under the folder the include globs start with; without `owner`, it takes
    the owner of those earlier ones."""
    records = of_registry(project.catalog.decls(), project.locator, project.loaded.marked)
    context = Context(project.catalog, records)
    work = _Plan(project, importer, root, out, owner, context)
    read = importers()[importer]
    for source in sources:
        try:
            drafts = read(source, context)
        except SourceProblem as failed:
            work.outcome.findings.append(failed.finding)
            continue
        context.drafted[source.path] = drafts
        for draft in drafts:
            _place(work, source, draft)
        for held, kind, names, why in context.holds:
            if held != source.path:
                continue
            for record in records:
                if (record.source, record.kind) == (held, kind) and \
                        record.name not in names and id(record) not in work.matched:
                    _release(work, record, why)
    for source_path, kind, name, why in context.released:
        for record in records:
            if (record.source, record.kind, record.name) == (source_path, kind, name):
                _release(work, record, why)
    work.outcome.findings.extend(context.findings)
    for path, (after, before) in work.texts.items():
        if after != before:
            work.outcome.changes.append(Change(path, _shown(root, path), before, after))
    work.outcome.changes.sort(key=lambda c: c.shown)
    return work.outcome


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _place(work: _Plan, source: Source, draft: Draft) -> None:
    released = {(path, kind, name) for path, kind, name, _ in work.context.released}
    matches = [r for r in work.context.records if r.source == source.path and
               r.kind == draft.kind and (r.source, r.kind, r.name) not in released]
    if len(matches) > 1:
        named = [r for r in matches if r.name == draft.name]
        matches = named or _likeliest(work, draft, matches)
    if matches:
        work.matched.add(id(matches[0]))
        _update(work, source, draft, matches[0])
        return
    declared = work.project.catalog.by_key.get((draft.kind, draft.name))
    if declared:
        decl = declared[-1]
        span = work.project.locator.span(decl.at("metadata", "name"))
        work.outcome.findings.append(finding(
            "import-ambiguous", f"{decl.id} is already declared ({span}) and records no "
            f"import, so aireg does not overwrite it with what {source.path} holds: add the "
            f"line `# aireg import {work.importer}: {source.path} sha256:{source.digest}` "
            "above it to let imports update it, or rename one of them", source.at(),
            value=source.path))
        return
    _create(work, source, draft)


def _read_by_registry(work: _Plan, path: Path) -> bool:
    from ..files import Globs, selected

    spec = work.project.loaded.config.spec
    try:
        rel = path.resolve().relative_to(Path(work.project.location.root).resolve())
    except ValueError:
        return False
    return selected(rel.as_posix(), Globs(spec.include), Globs(spec.exclude))


def _document(draft: Draft, version: str, owner: str | None) -> dict[str, Any]:
    from ..kinds import UNVERSIONED, VERSIONED

    metadata: dict[str, Any] = {"name": draft.name}
    if draft.kind in VERSIONED and draft.kind not in UNVERSIONED:
        metadata["version"] = version
    if owner:
        metadata["owner"] = owner
    document: dict[str, Any] = {"apiVersion": "aireg/v1", "kind": draft.kind,
                                "metadata": metadata, "spec": {}}
    for key, value in draft.fields.items():
        _put(document, key.split("."), value)
    return document


def _put(document: dict[str, Any], keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        document = document.setdefault(key, {})
    document[keys[-1]] = value


def _get(document: Any, keys: list[str]) -> Any:
    for key in keys:
        if not isinstance(document, dict) or key not in document:
            return _MISSING
        document = document[key]
    return document


def _validate(document: dict[str, Any]) -> str | None:
    from pydantic import ValidationError

    from ..kinds import KINDS

    try:
        KINDS[document["kind"]].model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}"
    return None


def _earlier(work: _Plan, source: Source, kind: str) -> tuple[str | None, str | None]:
    """The owner of the declarations this source's earlier import wrote, and the folder
    (from the repository root) of those of `kind`: where a new one from it belongs."""
    owner = folder = None
    for record in work.context.records:
        if record.source != source.path:
            continue
        decls = work.project.catalog.by_key.get((record.kind, record.name))
        owner = owner or (getattr(decls[-1].model.metadata, "owner", None) if decls else None)
        if record.kind == kind and folder is None:
            folder = record.path.rsplit("/", 1)[0] if "/" in record.path else ""
    return owner, folder


def _default_folder(work: _Plan) -> Path:
    """The registry root, or the folder the first include glob starts with (registry/ for
    `registry/**/*.yaml`), so that what is written is read."""
    root = Path(work.project.location.root)
    include = work.project.loaded.config.spec.include
    if not include:
        return root
    fixed = re.split(r"[*?\[{]", include[0], maxsplit=1)[0]
    return root / fixed.rsplit("/", 1)[0] if "/" in fixed else root


def _create(work: _Plan, source: Source, draft: Draft) -> None:
    ref_id = node_id(draft.kind, draft.name, draft.version if draft.kind != "Model" else None)
    owner, folder = _earlier(work, source, draft.kind)
    owner = work.owner or owner
    if owner is None:
        work.outcome.findings.append(finding(
            "missing-owner", f"{ref_id} would be a new declaration, and it needs an owner: "
            "import again with --owner team/<name> (or user/<handle>)", source.at(),
            value=source.path))
        return
    document = _document(draft, draft.version, owner)
    problem = _validate(document)
    if problem is not None:
        work.outcome.findings.append(finding(
            "import-ambiguous", f"{ref_id} from {source.path} would not be a valid "
            f"declaration ({problem}); it is not written: declare it by hand", source.at(),
            value=source.path))
        return
    if work.out is not None:
        path = work.out / FOLDERS[draft.kind] / f"{draft.name}.yaml"
    elif folder is not None:
        path = work.root / folder / f"{draft.name}.yaml"
    else:
        path = _default_folder(work) / FOLDERS[draft.kind] / f"{draft.name}.yaml"
    if not _read_by_registry(work, path):
        work.outcome.findings.append(finding(
            "import-ambiguous", f"{ref_id} from {source.path} would be written to "
            f"{_shown(work.root, path)}, which aireg.yaml's include globs do not select, so "
            "it would not be read: import with -o into a folder they cover", source.at(),
            value=source.path))
        return
    if path in work.texts or path.exists():
        work.outcome.findings.append(finding(
            "import-ambiguous", f"{_shown(work.root, path)} already exists, so {ref_id} from "
            f"{source.path} is not written there: move that file, or import into another "
            "folder with -o", source.at(), value=source.path))
        return
    digests = {key: field_digest(value) for key, value in draft.fields.items()}
    lines = header(work.importer, source.path, source.digest, digests)
    text = "\n".join(lines) + "\n" + _dump(document)
    work.texts[path] = (text, None)
    work.outcome.lines.append(f"created {ref_id} in {_shown(work.root, path)} from "
                              f"{source.path}")


class _Literal(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Literal.add_representer(str, _text)


def _dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Literal, sort_keys=False, allow_unicode=True,
                     width=100)


def _likeliest(work: _Plan, draft: Draft, records: list[Record]) -> list[Record]:
    """Of a source's records of one kind, none of them named as the draft is (a declaration
    renamed by hand), the one whose import wrote the most of what the draft holds, when one
    alone does."""
    drafted = {d.name for d in work.context.drafted.get(records[0].source, [])
               if d.kind == draft.kind}  # another draft's own record is not this one's
    scores = sorted(((sum(1 for key, value in draft.fields.items()
                          if record.fields.get(key) == field_digest(value)), index)
                     for index, record in enumerate(records)
                     if id(record) not in work.matched and record.name not in drafted),
                    reverse=True)
    if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return []
    return [records[scores[0][1]]]


def _text_of(work: _Plan, record: Record) -> tuple[Path, str, str | None]:
    """The declaration file of a record: where it is, its text with this run's edits so
    far, and its text before them."""
    path = work.project.location.toplevel or work.project.location.root
    disk = Path(path) / record.path
    before = disk.read_text(encoding="utf-8") if disk not in work.texts else None
    text = work.texts[disk][0] if disk in work.texts else (before or "")
    original = work.texts[disk][1] if disk in work.texts else before
    return disk, text, original


def _release(work: _Plan, record: Record, why: str) -> None:
    """The record's comment lines replaced by as many saying where the declaration came
    from: it stays as declared, and no later import updates it or finds it drifted."""
    disk, text, original = _text_of(work, record)
    lines = [f"# imported by aireg import {record.importer} from {record.source}; released: "
             f"{why}", "# (aireg import no longer updates it)"]
    count = _header_size(text.split("\n"), record.line - 1)
    work.texts[disk] = (_replace_header(text, record, lines[:count]), original)
    work.outcome.lines.append(f"released {record.decl_id} ({record.path}): {why}; it stays "
                              "as declared and this import no longer updates it (remove it "
                              "if nothing uses it)")


def _update(work: _Plan, source: Source, draft: Draft, record: Record) -> None:
    disk, text, original = _text_of(work, record)
    try:
        documents = list(yaml.load_all(text.lstrip("\ufeff"), Loader=yaml.CSafeLoader))
        current = documents[record.doc]
    except (yaml.YAMLError, IndexError):
        work.outcome.findings.append(finding(
            "import-ambiguous", f"{record.path} does not read as YAML, so {record.decl_id} "
            "is not updated: fix it (`aireg check`), then import again", Span(record.path),
            value=source.path))
        return
    digests: dict[str, str] = {}
    changed, kept = [], []
    for key, value in draft.fields.items():
        now = _get(current, key.split("."))
        owned = record.fields.get(key)
        if now is not _MISSING and owned is not None and field_digest(now) != owned:
            kept.append(key)
            digests[key] = owned
        elif now is not _MISSING and owned is None and field_digest(now) != field_digest(value):
            kept.append(key)
        elif now is not _MISSING and field_digest(now) == field_digest(value):
            digests[key] = field_digest(value)
        else:
            try:
                text = set_field(text, record.doc, key.split("."), value)
            except AiregError as error:
                work.outcome.findings.append(finding(
                    "import-ambiguous", f"{key} of {record.decl_id} could not be updated in "
                    f"{record.path} ({error}); edit it by hand", Span(record.path, record.line),
                    value=source.path))
                continue
            changed.append(key)
            digests[key] = field_digest(value)
    if changed or record.digest != source.digest or digests != record.fields:
        text = _replace_header(text, record, header(work.importer, source.path,
                                                    source.digest, digests))
    work.texts[disk] = (text, original)
    what = f"{record.decl_id} ({record.path})"
    if changed:
        work.outcome.lines.append(f"updated {', '.join(changed)} of {what} from {source.path}")
    elif text == original:
        work.outcome.lines.append(f"unchanged {what}")
    else:
        work.outcome.lines.append(f"recorded the new digest of {source.path} in {what}")
    for key in kept:
        work.outcome.lines.append(
            f"kept {key} of {record.decl_id}, edited by hand (the import would write "
            f"{_inline_text(draft.fields[key])})")


def _inline_text(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else (
        value if "\n" not in value else "a new template")


def _replace_header(text: str, record: Record, lines: list[str]) -> str:
    """The file with the record's two comment lines (or one) replaced by `lines`."""
    rows = text.split("\n")
    index = record.line - 1
    ending = "\r" if rows[index].endswith("\r") else ""
    rows[index:index + _header_size(rows, index)] = [line + ending for line in lines]
    return "\n".join(rows)


def _header_size(rows: list[str], index: int) -> int:
    """How many lines the record starting at row `index` takes: its source line, and its
    fields line when it has one."""
    return 2 if index + 1 < len(rows) and rows[index + 1].startswith(
        "# aireg import fields:") else 1


# --- one field, edited in place -----------------------------------------------------------


def _flow(value: Any) -> str:
    if isinstance(value, str):
        return _double_quoted(value) if "\n" in value else _scalar(value, True, None)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    raise AiregError(f"cannot write {type(value).__name__}")


def _block(value: Any, indent: int) -> str:
    """`value` as the text after `key:` in a block mapping whose keys sit at `indent`."""
    if isinstance(value, str) and "\n" in value:
        lines = value.split("\n")
        trailing = value.endswith("\n")
        body = lines[:-1] if trailing else lines
        chomp = "" if trailing and not value.endswith("\n\n") else ("-" if not trailing else "+")
        pad = " " * (indent + 2)
        marker = str(2) if body and body[0].startswith(" ") else ""
        return f" |{marker}{chomp}\n" + "\n".join(pad + line if line else "" for line in body)
    if isinstance(value, str):  # a block value may hold `:` and `,` plain, as import wrote it
        return " " + _scalar(value, False, None)
    return " " + _flow(value)


def set_field(text: str, doc: int, keys: list[str], value: Any) -> str:
    """`text` with the value at `keys` in document `doc` set to `value`: replaced where it
    is written, or added to the mapping that should hold it."""
    source = _Source(text)
    node = source.roots[doc]
    body = source.body
    expected = source.expected(doc)
    _put(expected, keys, value)
    what = ".".join(keys)
    for index, key in enumerate(keys):
        if not isinstance(node, MappingNode):
            raise AiregError(f"{'.'.join(keys[:index])} is not a mapping")
        entry = _entry(node, key, ".".join(keys[:index]) or "the document")
        rest = keys[index + 1:]
        inner: Any = value
        for name in reversed(rest):
            inner = {name: inner}
        if entry is None:
            if _in_flow(node):
                edit = _flow_items(body, node, [f"{key}: {_flow(inner)}"])
            else:
                column = _block_keys_column(node)
                line = " " * column + key + ":" + _block(inner, column).rstrip("\n")
                edit = _lines_after(body, _content_end(body, node), line.split("\n"))
            return source.finish(doc, [edit], expected, what)
        key_node, value_node = entry
        if rest and isinstance(value_node, MappingNode):
            node = value_node
            continue
        if value_node.start_mark.index < key_node.end_mark.index:
            raise AiregError(f"{what} is a YAML alias")
        colon = body.find(":", key_node.end_mark.index)
        end = _content_end(body, value_node)
        if isinstance(value_node, ScalarNode) and value_node.start_mark.index == \
                value_node.end_mark.index:
            end = colon + 1  # an empty value
        column = int(key_node.start_mark.column)
        replacement = " " + _flow(inner) if _in_flow(node) else _block(inner, column)
        return source.finish(doc, [_Edit(colon + 1, end, replacement)], expected, what)
    raise AiregError(f"{what} could not be found")  # pragma: no cover - keys is never empty
