"""Vector indexes (SPEC section 12): the embedding rules, what a change makes to re-embed, and
the rebuild deadlines an embedding model's retirement sets.

An index's vectors are only comparable with queries embedded by the same model, at the same
length. Its `builtFrom` names the corpus versions the vectors hold: a range there moves when a
new corpus version is declared while the vectors stay as they were, so exact pins are what an
index should write (and `impact --base` calls the move a `reindex`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from . import kinds
from .catalog import Catalog, RefSite
from .decl import Decl
from .findings import Finding, finding
from .graph import DepGraph
from .refs import NodeId, Ref, best_match, parse_constraint, parse_version

# What a change must touch to make an index's vectors wrong: for a model, what it computes;
# for an index, how it was embedded and from what; for a corpus, its content.
_MODEL_FIELDS = ("spec.provider", "spec.modelId", "spec.revision", "spec.digest",
                 "spec.dimensions")
_INDEX_FIELDS = ("spec.embeddingModel", "spec.dimensions", "spec.metric", "spec.builtFrom")
_CORPUS_CLASSES = frozenset({"behavior", "pin"})
# The edges from an index down to the data it holds.
CORPUS = frozenset({"built-from", "derived-from"})


def _model_of(catalog: Catalog, text: str | None) -> Decl | None:
    if text is None:
        return None
    found = catalog.resolve(Ref.parse(text))
    return found if found is not None and isinstance(found.model, kinds.Model) else None


def _same_model(one: Decl, other: Decl) -> bool:
    """Two pins of one model (say one per team) embed alike."""
    if one is other:
        return True
    a, b = one.model.spec, other.model.spec
    assert isinstance(a, kinds.ModelSpec) and isinstance(b, kinds.ModelSpec)
    return (a.provider, a.modelId, a.revision) == (b.provider, b.modelId, b.revision)


def _shown(decl: Decl) -> str:
    spec = decl.model.spec
    assert isinstance(spec, kinds.ModelSpec)
    return f"{decl.id} (`{spec.modelId}`)"


def findings(catalog: Catalog) -> list[Finding]:
    """embedding-mismatch, dimension-mismatch and index-stale."""
    out: list[Finding] = []
    for decl in sorted(catalog.of_kind("VectorIndex"), key=lambda d: d.id):
        out += _index_findings(catalog, decl)
    for decl in sorted(catalog.decls(), key=lambda d: d.id):
        if decl.kind in ("Feature", "Prompt"):
            out += _query_findings(catalog, decl)
    return out


def _index_findings(catalog: Catalog, decl: Decl) -> list[Finding]:
    assert isinstance(decl.model, kinds.VectorIndex)
    spec = decl.model.spec
    out: list[Finding] = []
    sites = catalog.ref_sites(decl)
    model = _model_of(catalog, spec.embeddingModel)
    if model is not None:
        assert isinstance(model.model, kinds.Model)
        task = model.model.spec.task
        site = next(s for s in sites if s.field.label == "embedded-by")
        if task not in (None, "embedding"):
            out.append(site.finding(
                "embedding-mismatch", f"{decl.id} is embedded by {_shown(model)}, which is "
                f"declared `task: {task}`, not an embedding model; point embeddingModel at the "
                "embedding model that built the vectors"))
        dimensions = model.model.spec.dimensions
        if dimensions is not None and dimensions != spec.dimensions:
            out.append(finding(
                "dimension-mismatch", f"{decl.id} stores {spec.dimensions}-dimension vectors, "
                f"but its embedding model {_shown(model)} returns {dimensions}: queries it "
                "embeds cannot be compared with them. Set spec.dimensions to the length the "
                "index holds, and re-embed the index if that differs from the model's",
                decl.at("spec", "dimensions"), subject=decl.id, field="spec.dimensions",
                value=str(spec.dimensions)))
    for site in sites:
        if site.field.label == "built-from":
            out += _stale(catalog, decl, site)
    return out


def _stale(catalog: Catalog, decl: Decl, site: RefSite) -> list[Finding]:
    """index-stale: a higher version of the corpus is declared in the major line of the one
    `builtFrom` resolves to (the versions `^<that version>` admits, which SemVer calls
    compatible updates of its data), so readers of the corpus see data the vectors lack."""
    built = catalog.resolve(site.ref)
    if built is None or built.version is None:
        return []
    line = f"^{built.version}"
    versions = [d.version for d in catalog.by_key.get((built.kind, built.name), [])
                if d.version is not None
                and parse_version(d.version) > parse_version(built.version)]
    newest = best_match(parse_constraint(line), versions) if versions else None
    if newest is None:
        return []
    artifact = f"dataset/{built.name}"
    how = ("as pinned" if site.ref.constraint == built.version
           else f"what `{site.ref}` resolves to")
    return [site.finding(
        "index-stale", f"{decl.id} was built from {built.id} ({how}), but {artifact}@{newest} "
        f"is now declared in that version's major line ({line}): the index lacks its changes. "
        f"Re-embed it from {newest} beside the current index, switch readers over, then set "
        f"builtFrom to {artifact}@{newest} and builtAt to the day it was built")]


def _query_findings(catalog: Catalog, decl: Decl) -> list[Finding]:
    """embedding-mismatch: a feature or prompt whose queryModel is not the model that
    embedded an index it searches."""
    query_text = getattr(decl.model.spec, "queryModel", None)
    query = _model_of(catalog, query_text)
    if query is None:
        return []
    sites = catalog.ref_sites(decl)
    at = next(s for s in sites if s.field.label == "query-model")
    out: list[Finding] = []
    for site in sites:
        if site.ref.kind != "index":
            continue
        index = catalog.resolve(site.ref)
        if index is None or not isinstance(index.model, kinds.VectorIndex):
            continue
        embedded = _model_of(catalog, index.model.spec.embeddingModel)
        if embedded is None or _same_model(query, embedded):
            continue
        item = at.finding(
            "embedding-mismatch", f"{decl.id} embeds its queries with {_shown(query)}, but "
            f"{index.id} was embedded with {_shown(embedded)}: their vectors cannot be "
            f"compared, so retrieval silently degrades. Set queryModel to "
            f"{embedded.id}, or re-embed the index with the new model (build it beside the "
            "current one, then switch)")
        out.append(replace(item, value=str(site.ref)))
    return out


# --- impact --base: what to re-embed ---------------------------------------------------------


class ChangeLike(Protocol):
    """The parts of a `diff.Change` the re-embedding plan reads."""

    @property
    def node(self) -> NodeId: ...
    @property
    def status(self) -> str: ...
    @property
    def decl(self) -> Decl: ...
    @property
    def old(self) -> Decl | None: ...
    @property
    def fields(self) -> tuple[Any, ...]: ...
    @property
    def resolutions(self) -> tuple[Any, ...]: ...


@dataclass(frozen=True)
class Reindex:
    """An index a change makes stale: its vectors must be built again."""

    index: NodeId
    reasons: tuple[str, ...]
    causes: tuple[NodeId, ...]  # the changed declarations behind it
    records: int | None  # the records of the corpora it is built from; None when unknown
    corpora: tuple[NodeId, ...]
    uncounted: tuple[NodeId, ...]  # corpora that declare no `records`
    store: str


def _touched(change: ChangeLike, names: Iterable[str]) -> list[str]:
    wanted = tuple(names)
    return [f.field for f in change.fields
            if any(f.field == n or f.field.startswith(n + ".") for n in wanted)]


def plan(catalog: Catalog, graph: DepGraph, found: Sequence[ChangeLike]) -> list[Reindex]:
    """The indexes of head that the changes leave holding the wrong vectors: an index whose
    embedding, dimensions, metric or corpus refs changed (or resolve anew); one embedded by a
    model pin whose model changed; one built, directly or through derivedFrom, on a corpus
    whose content changed."""
    reasons: dict[NodeId, list[str]] = {}
    causes: dict[NodeId, list[NodeId]] = {}

    def add(index: NodeId, reason: str, cause: NodeId) -> None:
        if reason not in reasons.setdefault(index, []):
            reasons[index].append(reason)
        if cause not in causes.setdefault(index, []):
            causes[index].append(cause)

    for change in found:
        if change.status in ("removed", "invalid") or change.decl.id not in catalog.by_id:
            continue
        kind = change.decl.kind
        if kind == "VectorIndex" and change.old is not None:
            for field in _touched(change, _INDEX_FIELDS):
                add(change.node, f"its {field} changed", change.node)
            for moved in change.resolutions:
                if moved.field in _INDEX_FIELDS:
                    add(change.node, f"{moved.field} {moved}", change.node)
        elif kind == "Model" and change.old is not None:
            touched = _touched(change, _MODEL_FIELDS)
            if touched:
                for user in graph.users(change.node):
                    if graph.label(user, change.node) == "embedded-by":
                        add(user, f"its embedding model {change.node} changed "
                            f"({', '.join(touched)})", change.node)
        elif kind == "Dataset" and change.old is not None and change.status != "added":
            touched = [f.field for f in change.fields if f.cls in _CORPUS_CLASSES]
            if touched:
                for node in graph.dependents([change.node], labels=CORPUS):
                    if catalog.by_id[node].kind == "VectorIndex":
                        add(node, f"its corpus {change.node} changed ({', '.join(touched)})",
                            change.node)
    return [_reindex(catalog, catalog.by_id[index], reasons[index], causes[index])
            for index in sorted(reasons)]


def _reindex(catalog: Catalog, decl: Decl, reasons: list[str], causes: list[NodeId]) -> Reindex:
    assert isinstance(decl.model, kinds.VectorIndex)
    spec = decl.model.spec
    corpora: list[Decl] = []
    for text in spec.builtFrom:
        found = catalog.resolve(Ref.parse(text))
        if found is not None and isinstance(found.model, kinds.Dataset):
            corpora.append(found)
    counts = [c.model.spec.records for c in corpora if isinstance(c.model, kinds.Dataset)]
    uncounted = tuple(c.id for c in corpora
                      if isinstance(c.model, kinds.Dataset) and c.model.spec.records is None)
    records = None if uncounted or not corpora else sum(n or 0 for n in counts)
    return Reindex(decl.id, tuple(reasons), tuple(causes), records,
                   tuple(c.id for c in corpora), uncounted,
                   f"{spec.store.type} {spec.store.uri}")


# --- deprecations: an embedding model's retirement --------------------------------------------


def rebuild_actions(graph: DepGraph, node: NodeId, day: str) -> tuple[str, ...]:
    """`rebuild index X before <day>` for each index a retiring model embedded."""
    return tuple(f"rebuild {user} before {day}" for user in graph.users(node)
                 if graph.label(user, node) == "embedded-by")
