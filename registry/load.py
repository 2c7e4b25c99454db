"""Files or a git tree -> validated declarations, with a finding for everything that is wrong.

A bad file never stops the load: it yields findings, and every other file still loads. The
load reads aireg.yaml, selects the declaration files (selection.py), reads and parses them
(from the parse cache where it can, a share in a forked child when there are many: fork.py),
and validates each document (validate.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import fork, kinds, selection, validate
from .decl import Decl
from .files import CONFIG_FILE, FolderTree, Tree, display_path
from .findings import Finding, Pointer, Span, finding
from .gitrepo import GitTree
from .importers.records import HEAD_BYTES, MARK
from .refs import NAME_MAX
from .yamlio import MAX_FILE_BYTES, YamlProblem, decode, load_documents, mentions

if TYPE_CHECKING:
    from .cache import Cache


@dataclass
class Loaded:
    tree: Tree
    config: kinds.RegistryConfig
    decls: list[Decl]
    findings: list[Finding]
    files_read: int = 0
    texts: dict[str, str] = field(default_factory=dict, repr=False)
    # The declaration files whose first bytes hold an import record (registry.importers):
    # known at the read, so a check need not read any file again to find the records.
    marked: set[str] = field(default_factory=set, repr=False)


def default_config(name: str) -> kinds.RegistryConfig:
    return kinds.RegistryConfig(apiVersion="aireg/v1", kind="Registry",
                                metadata=kinds.RegistryMetadata(name=name))


def folder_name(prefix: str) -> str:
    """A valid registry name made from the registry folder's name (`AIRegistry` ->
    `airegistry`, `my reg` -> `my-reg`): the name used while aireg.yaml gives none, and a
    folder may be called anything."""
    name = re.sub(r"[^a-z0-9._-]+", "-", Path(prefix.rstrip("/")).name.lower())
    return name[:NAME_MAX].strip("._-") or "registry"


def load(tree: Tree, cache: Cache | None = None, progress: Progress | None = None
         ) -> Loaded:
    findings: list[Finding] = []
    loaded = Loaded(tree, default_config("registry"), [], findings)
    loaded.config = _load_config(tree, findings, loaded)
    rels, skipped = selection.select(tree, loaded.config)
    findings.extend(skipped)
    _load_many(tree, rels, loaded, cache, progress)
    return loaded


def load_files(tree: Tree, rels: list[str], cache: Cache | None = None) -> Loaded:
    """Only the named files (relative to the registry root), with the registry's settings."""
    findings: list[Finding] = []
    loaded = Loaded(tree, default_config("registry"), [], findings)
    loaded.config = _load_config(tree, findings, loaded)
    _load_many(tree, rels, loaded, cache)
    return loaded


# Findings about a prompt's template file, not about the YAML file that names it.
_NOT_ABOUT_THE_FILE = frozenset({"template", "path-escape"})
# Parsing is most of a cold load; past this many files it is shared with a second process.
PARALLEL_FILES = 1000
Parsed = tuple[list[Any], list[tuple[str, int, int]]]  # documents; problems (message, line, col)


def _parse(texts: list[str]) -> list[Parsed]:
    out: list[Parsed] = []
    for text in texts:
        documents, problems = load_documents(text)
        out.append((documents, [(p.message, p.line, p.column) for p in problems]))
    return out


def _parse_all(texts: list[str]) -> list[Parsed]:
    """Every text parsed, on two cores when there are many (pickled plain values cost a
    tenth of pickled models)."""
    if len(texts) < PARALLEL_FILES or not fork.worthwhile():
        return _parse(texts)
    half = len(texts) // 2
    first, second = fork.split(lambda: _parse(texts[:half]), lambda: _parse(texts[half:]))
    return first + second()


Progress = Callable[[str, int, int], None]  # (stage, done, total)


class Gathered(NamedTuple):
    """One declaration file, read and parsed (or taken from the cache)."""

    rel: str
    text: str | None  # None when a child process read it (read again if ever needed)
    blob: str
    documents: list[Any]
    problems: list[tuple[str, int, int]]
    cached: bool
    marked: bool  # its first bytes hold an import record (never so for a cached parse)


def _gather(tree: Tree, rels: list[str], cache: Cache | None, parse: Callable[
        [list[str]], list[Parsed]] = _parse) -> tuple[list[Gathered], list[Finding]]:
    findings: list[Finding] = []
    read: list[tuple[str, str | None, str]] = []  # (rel, text, blob id)
    # A revision's blobs whose parse is cached by id are not read at all.
    listed = tree.known_blob if cache and isinstance(tree, GitTree) else None
    ids = {rel: blob for rel in rels if (blob := listed(rel))} if listed else {}
    # Those validated already in this process (registry.load._take) are not even decoded.
    known: dict[str, Any] = {blob: [] for blob in ids.values() if blob in _VALIDATED}
    if cache and ids:
        known.update(cache.parsed(blob for blob in ids.values() if blob not in known))
    for rel in rels:
        if ids.get(rel) in known:
            read.append((rel, None, ids[rel]))
            continue
        found = _read_text(tree, rel, findings)
        if found is not None:
            read.append((rel, *found))
    if cache:
        known.update(cache.parsed(blob for _, _, blob in read if blob not in known))
    parsed = iter(parse([text or "" for _, text, blob in read if blob not in known]))
    gathered = []
    for rel, text, blob in read:
        cached = blob in known
        documents, problems = (known[blob], []) if cached else next(parsed)
        gathered.append(Gathered(rel, text, blob, documents, problems, cached,
                                 text is not None and MARK in text[:HEAD_BYTES]))
    return gathered, findings


Gather = tuple[list[Gathered], list[Finding]]
# The child's share of a folder (half measured best: the parent validates its own share
# while the child still parses, and the child also pickles its result).
CHILD_SHARE = 0.5


def _gather_all(tree: Tree, rels: list[str], cache: Cache | None
                ) -> list[Callable[[], Gather]]:
    """Every file read and parsed, in parts in listing order, each part a function that
    returns it (the later ones may still be at work in another process when the first is
    handed over). From a folder, a forked child reads and parses the second part itself,
    with its own connection to the cache: no text crosses back, and nothing the parent holds
    is touched. From git, the parent reads (one cat-file process) and only parsing is
    shared, on two cores when there are many files."""
    if len(rels) < PARALLEL_FILES or not fork.worthwhile():
        whole = _gather(tree, rels, cache)
        return [lambda: whole]
    if not isinstance(tree, FolderTree):
        shared = _gather(tree, rels, cache, _parse_all)
        return [lambda: shared]
    cut = len(rels) - int(len(rels) * CHILD_SHARE)

    def child() -> Gather:
        from .cache import Cache as ChildCache

        own = ChildCache(cache.path) if cache is not None else None
        gathered, findings = _gather(tree, rels[cut:], own)
        # Texts are not sent back, but those with import records: a check reads those.
        return [g if g.marked else g._replace(text=None) for g in gathered], findings

    first, second = fork.split(lambda: _gather(tree, rels[:cut], cache), child)
    return [lambda: first, second]


def _load_many(tree: Tree, rels: list[str], loaded: Loaded, cache: Cache | None = None,
               progress: Progress | None = None) -> None:
    if progress:
        progress("reading", 0, len(rels))
    learned: dict[str, Any] = {}
    number = 0
    for part in _gather_all(tree, rels, cache):
        gathered, findings = part()
        loaded.findings.extend(findings)
        for item in gathered:
            number += 1
            if progress and number % 1000 == 0:
                progress("checking", number, len(rels))
            _take(tree, item, loaded, learned if cache else None)
    if cache and learned:
        cache.store_parsed(learned, background=len(learned) >= PARALLEL_FILES and fork.worthwhile())
    if progress:
        progress("done", number, number)


def _take(tree: Tree, item: Gathered, loaded: Loaded, learned: dict[str, Any] | None
          ) -> None:
    """One gathered file into the declarations (and, when clean, into `learned`)."""
    path = display_path(tree, item.rel)
    loaded.files_read += 1
    if item.text is not None:
        loaded.texts[path] = item.text
    if item.marked:
        loaded.marked.add(path)
    for message, line, column in item.problems:
        loaded.findings.append(finding("yaml-syntax", message, Span(path, line, column)))
    before, decls = len(loaded.findings), len(loaded.decls)
    models = _VALIDATED.get(item.blob) if item.cached else None
    if models is not None:  # validated already, in the other revision of a comparison
        for doc, model in models:
            decl = Decl(model, path, doc)
            if isinstance(model, kinds.Prompt):  # its template is this revision's
                validate.attach_template(tree, item.rel, decl, loaded.findings)
            loaded.decls.append(decl)
        return
    validate.declarations(tree, item.rel, list(enumerate(item.documents)), loaded.decls,
                          loaded.findings)
    clean = all(f.rule in _NOT_ABOUT_THE_FILE for f in loaded.findings[before:])
    # Only files that loaded cleanly are kept: the cache then never has to reproduce an error
    # position or the spelling of a number. Nor are those with import records, so a parse
    # taken from the cache tells that its file has none.
    if learned is not None and not item.cached and not item.problems and clean and \
            not item.marked:
        learned[item.blob] = item.documents
    if item.cached and clean:
        if len(_VALIDATED) > MAX_VALIDATED:
            _VALIDATED.clear()
        _VALIDATED[item.blob] = [(d.doc, d.model) for d in loaded.decls[decls:]]


# The models of clean cached files by blob id, for a second load in the same process (the
# base and head of a comparison share most files): the same bytes validate the same way.
# Models are never changed after validation.
_VALIDATED: dict[str, list[tuple[int, kinds.Declaration]]] = {}
MAX_VALIDATED = 300_000


OURS = b"aireg/"  # in every declaration file (its apiVersion), and in few others


def _read_text(tree: Tree, rel: str, findings: list[Finding]) -> tuple[str, str] | None:
    """The file's text and git blob id when it may hold declarations; None for files that
    are not ours."""
    path = display_path(tree, rel)
    size = tree.size(rel)
    if size > MAX_FILE_BYTES:
        # Never read an enormous file: its head says whether it claims to be ours.
        if not mentions(tree.head(rel, 65536), OURS):
            return None
        findings.append(finding(
            "yaml-syntax",
            f"file is {size / 1048576:.1f} MiB, over the {MAX_FILE_BYTES // 1048576} MiB that "
            "aireg reads in one declaration file: split it into smaller files",
            Span(path)))
        return None
    try:
        data = tree.read(rel)
    except OSError as error:  # no permission, say: a file aireg cannot see into is not silence
        findings.append(finding(
            "yaml-syntax", f"file cannot be read ({error.strerror}); make it readable to aireg, "
            "or leave it out with spec.exclude", Span(path)))
        return None
    if data is None or not mentions(data, OURS):
        return None
    try:
        return decode(data, OURS), tree.blob_id(rel, data)
    except YamlProblem as problem:
        findings.append(finding("yaml-syntax", problem.message,
                                Span(path, problem.line, problem.column)))
        return None


def _documents(tree: Tree, rel: str, loaded: Loaded) -> Iterator[tuple[int, Any]]:
    found = _read_text(tree, rel, loaded.findings)
    if found is None:
        return
    text = found[0]
    loaded.files_read += 1
    path = display_path(tree, rel)
    loaded.texts[path] = text
    documents, problems = load_documents(text)
    yield from enumerate(documents)
    for problem in problems:
        loaded.findings.append(finding("yaml-syntax", problem.message,
                                       Span(path, problem.line, problem.column)))


def _load_config(tree: Tree, findings: list[Finding], loaded: Loaded) -> kinds.RegistryConfig:
    fallback = default_config(folder_name(tree.prefix))
    path = display_path(tree, CONFIG_FILE)
    for doc, data in _documents(tree, CONFIG_FILE, loaded):
        if data is None:
            continue
        at = Pointer(path, doc)
        config = validate.registry_config(data, at, findings)
        if config is not None:
            return selection.usable_globs(config, at, findings)
    return fallback
