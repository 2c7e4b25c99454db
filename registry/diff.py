"""Two revisions of a registry compared: what changed, how, what that reaches, what is new.

Versions of one artifact are paired first. A version that head adds succeeds the highest base
version below it when head no longer declares that one (`aireg bump` of 3.1.0 to 3.1.1): the
pair is one `modified` change of the new node, with `previous` the old one, and is compared
like an edit in place. A version added beside a predecessor that survives is `added`, compared
with that predecessor. Only a version with no successor is `removed`, and a declaration that
base has and head still writes but that fails to load there is `invalid` (not removed, so its
consumers' refs do not cascade into dangling-ref findings).

A change is classed by what it touches between the two declarations:

| class     | when                                                                   |
|-----------|------------------------------------------------------------------------|
| behavior  | template text (inline or the templateFile's content), or any other spec |
|           | field that changes what runs (weights, data source, server command)    |
| interface | variables, tools                                                       |
| pin       | a ref, or a model's provider, id, revision or digest; a ref that now   |
|           | resolves to another version (a `resolution`)                           |
| lifecycle | metadata.deprecation                                                    |
| metadata  | description, labels, owner; dataset governance; team membership        |
| cosmetic  | a template change in whitespace only                                    |
| reindex   | besides its own class: an embedding model pin, an index's embedding or |
|           | corpus, or a corpus under an index changed, so vectors must be rebuilt |
|           | (indexes.plan)                                                          |

A node is also affected when one of its refs, written the same on both sides, now resolves
to another version (a consumer of `^3` when 3.2.0 is added): its change lists that
resolution whether or not its own declaration changed too.

New findings are matched by fingerprint (findings.Finding), never by message or position.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from semantic_version import Version

from . import versions
from .answers import Entry, ImpactView, summarize
from .catalog import REF_FIELDS, Catalog
from .decl import Decl
from .findings import UNRESOLVED, Finding, Pointer, Span
from .indexes import Reindex, plan
from .project import Project
from .reach import Hop, path_up, search
from .refs import NodeId, Ref, RefSyntaxError, node_id, parse_version
from .snapshot import Snapshot
from .subjects import Documents, document_key
from .versions import Edited
from .views import DIAGRAM_MAX_NODES, GraphEdge, GraphNode, Subgraph

CLASS_ORDER = ("behavior", "interface", "pin", "reindex", "lifecycle", "metadata", "cosmetic")
# Changes that make a new version necessary; lifecycle and metadata may change in place
# (deprecating 3.1.0 marks 3.1.0 itself), and whitespace does not change a prompt's meaning.
NEEDS_BUMP = frozenset({"behavior", "interface", "pin"})

_PIN_FIELDS = {"spec.provider", "spec.modelId", "spec.revision", "spec.digest"}
_INTERFACE_FIELDS = {"spec.variables", "spec.tools"}
_METADATA_SPEC_FIELDS = {
    "Dataset": {"spec.license", "spec.classification", "spec.personalData", "spec.retention",
                "spec.consent"},
    "Team": {"spec.members", "spec.contact", "spec.active"},
    "Feature": {"spec.tier"},
}

Key = tuple[str, str]  # (declaration kind, name): an artifact, whatever the version
Broken = frozenset[tuple[str, str, str | None]]  # (kind, name, version) that failed to load


@dataclass(frozen=True)
class FieldChange:
    field: str
    cls: str
    # Scalars as they are (None when absent); for a list, `before` holds the members only
    # base has and `after` those only head has.
    before: Any = None
    after: Any = None


def is_template(field: str) -> bool:
    """Whether a field change is of template text (inline or in a templateFile)."""
    return field == "spec.template" or field.startswith("template file ")


def line_counts(before: str | None, after: str | None) -> tuple[int, int]:
    """Lines added and removed from one text to the other."""
    import difflib

    matcher = difflib.SequenceMatcher(None, (before or "").splitlines(),
                                      (after or "").splitlines(), autojunk=False)
    added = removed = 0
    for tag, start, end, new_start, new_end in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed += end - start
        if tag in ("replace", "insert"):
            added += new_end - new_start
    return added, removed


@dataclass(frozen=True)
class Resolution:
    """A ref written the same on both sides that now resolves to another declaration."""

    field: str  # dotted, such as spec.includes
    ref: str
    before: NodeId | None
    after: NodeId | None

    def __str__(self) -> str:
        return (f"{self.ref} now resolves to {self.after or 'nothing'} "
                f"(was {self.before or 'nothing'})")


@dataclass(frozen=True)
class Change:
    node: NodeId  # the head node (the base one when removed)
    status: str  # added | removed | modified | invalid | resolution
    decl: Decl  # the head declaration (the base one when removed or invalid)
    fields: tuple[FieldChange, ...] = ()
    resolutions: tuple[Resolution, ...] = ()
    old: Decl | None = None  # the base declaration it is compared with
    extra: tuple[str, ...] = ()  # classes from outside the declaration (reindex)

    @property
    def previous(self) -> NodeId | None:
        """The base node compared with, when it is another node: the version this one
        succeeds, or the one it was added beside."""
        return self.old.id if self.old is not None and self.old.id != self.node else None

    @property
    def in_place(self) -> bool:
        return self.old is not None and self.old.id == self.node

    @property
    def detail(self) -> str:
        return "; ".join(str(r) for r in self.resolutions)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the node is listed: its own change, and `resolution` when refs moved."""
        own = () if self.status == "resolution" else (self.status,)
        return own + (("resolution",) if self.resolutions else ())

    @property
    def classes(self) -> tuple[str, ...]:
        found = {f.cls for f in self.fields} | set(self.extra)
        if self.resolutions:
            found.add("pin")
        return tuple(c for c in CLASS_ORDER if c in found)


@dataclass(frozen=True)
class ChangeImpact:
    change: Change
    features: tuple[NodeId, ...]
    owners: tuple[str, ...]
    environments: tuple[str, ...] = ()  # that will run it (ran it, when removed), stage order


@dataclass(frozen=True)
class TextDiff:
    """Template text before and after a behaviour change, for the PR comment's diff."""

    node: NodeId  # the change it belongs to
    include: NodeId | None  # set when the text is that of a prompt `node` includes
    before_label: str  # `base: prompt/house-style@3.1.0 (prompts/house-style.yaml)`
    after_label: str
    before: str
    after: str


@dataclass(frozen=True)
class PullReport:
    base: str  # labels, such as "main (1a2b3c4d5e6f)"
    head: str
    changes: tuple[ChangeImpact, ...]
    impact: ImpactView
    new_findings: tuple[Finding, ...]
    base_rev: str = ""  # the revision as the user named it, to repeat in commands
    diffs: tuple[TextDiff, ...] = ()
    # The base had no aireg.yaml in the registry's folder (`folder`, relative to the
    # repository root, "" at the root): it was compared as an empty registry.
    base_absent: bool = False
    folder: str = ""
    # What the changes reach in head, to draw (None when it is more than a diagram shows).
    blast_radius: Subgraph | None = None
    reindex: tuple[Reindex, ...] = ()  # the indexes whose vectors the changes make stale
    # The command of each eval to run that has one, by id.
    eval_commands: tuple[tuple[str, str], ...] = ()

    @property
    def nothing(self) -> bool:
        return not self.changes and not self.new_findings

    def command(self, node: str) -> str | None:
        return dict(self.eval_commands).get(node)


# --- field diff ---------------------------------------------------------------------------


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    # An empty mapping is no field at all (labels: {} against labels.tier: shared is one
    # change, of labels.tier).
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    else:
        out[prefix] = value


def _fields(decl: Decl) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _flatten(decl.model.model_dump(mode="json", exclude_none=True), "", out)
    # Template text is compared on its own (it may live in a templateFile); the version is
    # the node itself (an edit in place keeps it, a pair is two versions by definition).
    out.pop("spec.template", None)
    out.pop("metadata.version", None)
    return out


def _class_of(kind: str, field: str) -> str:
    if field.startswith("metadata.deprecation"):
        return "lifecycle"
    if field.startswith("metadata."):
        return "metadata"
    top = ".".join(field.split(".")[:2])
    if top in _METADATA_SPEC_FIELDS.get(kind, set()):
        return "metadata"
    if top in _INTERFACE_FIELDS:
        return "interface"
    ref_fields = {".".join(f.keys) for f in REF_FIELDS.get(kind, ())}
    if top in ref_fields or (kind == "Model" and top in _PIN_FIELDS):
        return "pin"
    if top == "spec.templateFile":
        return "cosmetic"  # the same text moved to another file; the text is compared apart
    return "behavior"


def _values(before: Any, after: Any) -> tuple[Any, Any]:
    """A field's before and after: a list as the members each side alone has."""
    if not isinstance(before, list) and not isinstance(after, list):
        return before, after
    old = before if isinstance(before, list) else []
    new = after if isinstance(after, list) else []
    return [m for m in old if m not in new], [m for m in new if m not in old]


def field_changes(base: Decl, head: Decl) -> tuple[FieldChange, ...]:
    """What differs between two declarations (two versions of one artifact, or one version
    in two revisions), each field with its class and its values on both sides."""
    if base.model is head.model and base.template == head.template:  # the same file
        return ()
    before, after = _fields(base), _fields(head)
    changed = [FieldChange(field, _class_of(head.kind, field),
                           *_values(before.get(field), after.get(field)))
               for field in sorted(set(before) | set(after))
               if before.get(field) != after.get(field)]
    if base.template != head.template:
        name = f"template file {head.template_path}" if head.template_path else "spec.template"
        same_words = (base.template or "").split() == (head.template or "").split()
        changed.append(FieldChange(name, "cosmetic" if same_words else "behavior",
                                   base.template, head.template))
    return tuple(changed)


def _resolutions(base: Catalog, head: Catalog, old: Decl, new: Decl,
                 hidden: Collection[NodeId] = ()) -> tuple[Resolution, ...]:
    """Refs written the same by both declarations that now resolve to another declaration.

    A ref that resolved to a declaration now invalid in head (one of `hidden`) and resolves
    to nothing is not listed: the invalid change is the one cause, and its consumers are
    affected through it.
    """
    moved: list[Resolution] = []
    old_refs = {(site.field.keys, str(site.ref)) for site in base.ref_sites(old)}
    for site in head.ref_sites(new):
        if (site.field.keys, str(site.ref)) not in old_refs:
            continue
        then, now = base.resolve(site.ref), head.resolve(site.ref)
        was = then.id if then else None
        is_now = now.id if now else None
        if was != is_now and not (is_now is None and was in hidden):
            moved.append(Resolution(".".join(site.field.keys), str(site.ref), was, is_now))
    return tuple(moved)


# --- pairing ------------------------------------------------------------------------------


def _order(version: str | None) -> tuple[int, Version | None]:
    return (0, None) if version is None else (1, parse_version(version))


def _below(versions: Iterable[str | None], version: str) -> str | None:
    """The highest of `versions` below `version`."""
    point = parse_version(version)
    lower = [v for v in versions if v is not None and parse_version(v) < point]
    return max(lower, key=parse_version) if lower else None


class Pair(NamedTuple):
    """A base declaration and what head has in its place (either may be missing)."""

    status: str  # same | added | modified (a new version succeeding `old`) | removed | invalid
    node: NodeId  # the head node (the base one when removed)
    old: Decl | None
    new: Decl | None


def pair_versions(key: Key, then: dict[str | None, Decl], now: dict[str | None, Decl],
                  bad: Collection[str | None] = ()) -> list[Pair]:
    """One artifact's versions in base (`then`) and head (`now`), by version, paired (see the
    module's docstring); `bad` are the versions head writes but could not load. `aireg
    history` pairs each commit with the one before the same way."""
    out: list[Pair] = []
    bad = set(bad) - set(now)
    declared = set(now) | bad
    for version in sorted(set(then) & declared, key=_order):
        old = then[version]
        if version in bad:
            out.append(Pair("invalid", old.id, old, None))
        else:
            out.append(Pair("same", old.id, old, now[version]))
    gone = set(then) - declared
    for version in sorted(declared - set(then), key=_order):
        lower = _below(then, version) if version is not None else None
        paired = lower is not None and lower in gone
        if paired:
            gone.discard(lower)
        prior = then[lower] if lower is not None else None
        if version in bad:
            # Written in head but invalid: a change only when it succeeds a base version.
            if paired and prior is not None:
                out.append(Pair("invalid", node_id(*key, version), prior, None))
            continue
        new = now[version]
        out.append(Pair("modified" if paired else "added", new.id, prior, new))
    return out + [Pair("removed", then[v].id, then[v], None) for v in sorted(gone, key=_order)]


def _pairs(base: Catalog, head: Catalog, broken: Broken) -> list[Pair]:
    """Base's and head's versions of each artifact, paired."""
    bad_versions: dict[Key, set[str | None]] = defaultdict(set)
    for kind, name, version in broken:
        bad_versions[(kind, name)].add(version)
    out: list[Pair] = []
    for key in sorted(set(base.by_key) | set(head.by_key) | set(bad_versions)):
        out += pair_versions(key, {d.version: d for d in base.by_key.get(key, [])},
                             {d.version: d for d in head.by_key.get(key, [])},
                             bad_versions.get(key, set()))
    return out


def changes(base: Catalog, head: Catalog, broken: Broken = frozenset()) -> list[Change]:
    """Every change between two catalogs, versions paired; `broken` names the declarations
    head writes but could not load."""
    pairs = _pairs(base, head, broken)
    hidden = invalid_bases(pairs)
    found: list[Change] = []
    removed: list[Change] = []
    for status, node, old, new in pairs:
        if status == "removed" and old is not None:
            removed.append(Change(node, "removed", old))
        elif status == "invalid" and old is not None:
            found.append(Change(node, "invalid", old, old=old))
        elif new is not None and old is None:
            found.append(Change(node, "added", new))
        elif new is not None and old is not None:
            change = Change(node, "added" if status == "added" else "modified", new,
                            field_changes(old, new), _resolutions(base, head, old, new, hidden),
                            old)
            if status != "same" or change.fields:
                found.append(change)
            elif change.resolutions:
                found.append(Change(node, "resolution", new, resolutions=change.resolutions,
                                    old=old))
    found.sort(key=lambda c: c.node)
    return found + sorted(removed, key=lambda c: c.node)


def invalid_bases(pairs: Iterable[Pair | Change]) -> frozenset[NodeId]:
    """The base nodes that declarations invalid in head stand for."""
    return frozenset(p.old.id for p in pairs if p.status == "invalid" and p.old is not None)


def broken_declarations(base: Project, head: Project) -> Broken:
    """The declarations head writes but cannot load: a document that fails validation (read
    raw for its kind, name and version), and base's declarations in a file that no longer
    parses."""
    loaded = head.loaded
    places = {(d.path, d.doc) for d in loaded.decls}
    documents = Documents(head.locator)
    found: set[tuple[str, str, str | None]] = set()
    unparsed: set[str] = set()
    for item in loaded.findings:
        at = item.at
        if item.rule == "yaml-syntax" and isinstance(at, Span):
            unparsed.add(at.path)
        elif item.rule == "schema" and isinstance(at, Pointer) and \
                (at.path, at.doc) not in places:
            key = document_key(documents.document(at.path, at.doc))
            if key is not None:
                found.add(key)
    for decl in base.catalog.by_id.values():
        if decl.path in unparsed and decl.id not in head.catalog.by_id:
            found.add((decl.kind, decl.name, decl.version))
    return frozenset(found)


# --- the comparison -----------------------------------------------------------------------


# check --scan's findings and what the code uses, of one side (Project.check's `scanned`).
Scanned = tuple[list[Finding], set[str]]


class Side:
    """One revision of a comparison: its project, whole or only the files the comparison
    reads (registry.delta), and the snapshot of the whole registry there, which answers
    what reaches a change, and the findings when it keeps them. A whole project's snapshot
    is the one stored for its state, or is built from it when first asked for (a base's
    is asked for only when the change removes or breaks something)."""

    def __init__(self, project: Project, snap: Snapshot | None = None) -> None:
        self.project = project
        self._snap = snap

    @property
    def snap(self) -> Snapshot:
        if self._snap is None:
            from . import store

            self._snap = store.built(self.project)
        return self._snap

    @classmethod
    def of(cls, project: Project) -> Side:
        """A project loaded whole: its snapshot as stored for its state, or else built
        from it (and written when the command ends, if it is pending: registry.store)."""
        from . import store

        return cls(project, store.stored_for(project))


def compare(base: Side, head: Side, base_label: str, head_label: str,
            base_rev: str = "", scanned: tuple[Scanned, Scanned] | None = None
            ) -> PullReport:
    """`scanned`: the scan rules over base's code and head's (impact --base --scan)."""
    broken = broken_declarations(base.project, head.project)
    found = changes(base.project.catalog, head.project.catalog, broken)
    # Only head's indexes can hold stale vectors (and only a registry with indexes has a
    # graph to build for it here).
    rebuilds = plan(head.project.catalog, head.project.graph, found) \
        if head.project.catalog.of_kind("VectorIndex") else []
    causes = {node for item in rebuilds for node in item.causes}
    found = [replace(c, extra=("reindex",)) if c.node in causes else c for c in found]
    from_base = ("removed", "invalid")  # head has no declaration to start from
    impact = _reached(base, head,
                      [c.decl.id for c in found if c.status not in from_base],
                      [c.decl.id for c in found if c.status in from_base])
    runs = _Running(base.project, head.project)
    per_change = tuple(_change_impact(base, head, change, runs) for change in found)
    fresh = new_findings(base, head, version_findings(base.project, head.project, found),
                         broken, invalid_bases(found), scanned)
    commands = dict(head.snap.meta["commands"])
    if any(e not in head.snap.index for e in impact.evals):  # one head removed: base's
        commands = {**base.snap.meta["commands"], **commands}
    return PullReport(base_label, head_label, per_change, impact, tuple(fresh),
                      base_rev or base_label,
                      tuple(text_diffs(base.project.catalog, head.project.catalog, found)),
                      base.project.absent, base.project.location.prefix,
                      _blast_radius(head.snap, impact, per_change), tuple(rebuilds),
                      tuple((e, commands[e]) for e in impact.evals if e in commands))


def _tree(snap: Snapshot, nodes: list[str]) -> tuple[list[int], dict[int, tuple[int, int, str]]]:
    """The nodes' indexes in a snapshot, and the shortest-path tree of what reaches them."""
    index = snap.index
    starts = [index[node] for node in nodes]
    return starts, search(starts, snap.users)


def _reached(base: Side, head: Side, in_head: list[str], gone: list[str]) -> ImpactView:
    """What reaches the changes: in head from what head declares, and in base from what
    head removed or broke (listed once, head's first), the changes themselves at distance 0
    (a changed feature is itself affected); features, owners (with head's contacts) and
    evals of them all."""
    entries: dict[str, Entry] = {}
    tiers: dict[str, str] = {}
    named: dict[str, dict[str, tuple[int, str, str]]] = {}
    for of, nodes in ((head, in_head), (base, gone)):
        if not nodes:  # base's snapshot is asked for only when something is gone
            continue
        snap = of.snap
        starts, tree = _tree(snap, nodes)
        ids = snap.ids
        side = {ids[n]: (distance, ids[toward], label)
                for n, (distance, toward, label) in tree.items()}
        found = [(n, None) for n in starts] + [(n, side[ids[n]]) for n in tree]
        for n, step in found:
            node = ids[n]
            if node in entries:
                continue
            kind = snap.kind(n)
            entries[node] = Entry(node, kind, snap.owner(n), step[0] if step else 0,
                                  step[1] if step else None, step[2] if step else None)
            named[node] = side
            if kind == "Feature":
                tiers[node] = snap.tier(n)
    dependents = tuple(sorted(entries.values(), key=lambda e: (e.distance, e.id)))

    def path(node: str) -> tuple[Hop, ...]:
        return path_up(named[node], node) if node in named else ()

    return summarize((*in_head, *gone), dependents, tiers, head.snap.contacts, path)


def _blast_radius(head: Snapshot, impact: ImpactView, changes: tuple[ChangeImpact, ...]
                  ) -> Subgraph | None:
    """The dependents in head, the changed ones marked, when there are at most as many as
    a diagram shows."""
    index = head.index
    nodes = sorted(d.id for d in impact.dependents if d.id in index)
    if not nodes or len(nodes) > DIAGRAM_MAX_NODES:
        return None
    keep = {index[n] for n in nodes}
    members = head.meta["members"]
    edges = tuple(GraphEdge(NodeId(node), NodeId(head.ids[other]), label,
                            members.get(f"{node}\0{head.ids[other]}"))
                  for node in nodes for other, label in head.uses(index[node]) if other in keep)
    return Subgraph(tuple(GraphNode(NodeId(n), head.kind(index[n]), head.owner(index[n]))
                          for n in nodes), edges,
                    frozenset(c.change.node for c in changes))


class _Running:
    """The environments whose desired state holds a node, on either side (SPEC section 11)."""

    def __init__(self, base: Project, head: Project) -> None:
        self.sides = (base, head)
        self._envs: dict[int, Any] = {}

    def of(self, side: Project, node: NodeId) -> tuple[str, ...]:
        if not side.catalog.of_kind("Environment"):
            return ()
        from .environments import Environments, environments_running

        envs = self._envs.get(id(side))
        if envs is None:
            envs = self._envs[id(side)] = Environments(side.catalog, side.graph,
                                                       side.location, side.now)
        return environments_running(envs, node)


def _change_impact(base: Side, head: Side, change: Change,
                   runs: _Running | None = None) -> ChangeImpact:
    side = base if change.status in ("removed", "invalid") else head
    snap = side.snap
    starts, tree = _tree(snap, [change.decl.id])
    hit = [n for n in [*starts, *tree] if snap.kind(n) == "Feature"]
    features = tuple(sorted(NodeId(snap.ids[n]) for n in hit))
    owners = tuple(sorted({owner for n in hit if (owner := snap.owner(n))}))
    environments = runs.of(side.project, change.decl.id) if runs is not None else ()
    return ChangeImpact(change, features, owners, environments)


def new_findings(base: Side, head: Side, versions: list[Finding],
                 broken: Broken = frozenset(), hidden: Collection[NodeId] = (),
                 scanned: tuple[Scanned, Scanned] | None = None) -> list[Finding]:
    """Head's findings (the version rules among them) that base did not have: matched by
    fingerprint, so a moved line, a renamed file, a new version of the subject or a reworded
    message do not make a finding new. One that base had at a lower severity is new (a
    warning the branch turns into an error is a new error).

    A dangling or unsatisfied ref to a declaration that is invalid in head is left out, and so
    is an artifact left unused because only that declaration used it: the invalid
    declaration's own findings say what is wrong.
    """
    before: dict[str, list[int]] = defaultdict(list)
    for item in base.project.check(scanned=scanned[0] if scanned else None,
                                   stored=True).findings:
        before[item.fingerprint].append(item.severity.rank)
    for ranks in before.values():
        ranks.sort(reverse=True)
    current = [f for f in head.project.check(versions, scanned[1] if scanned else None,
                                             stored=True).findings
               if not _through_broken(f, broken, hidden, base)
               and not _state_unchanged(f, base.project, head.project)]
    fresh: list[tuple[int, Finding]] = []
    # Highest severity first, each matched with the highest base finding left.
    for index, item in sorted(enumerate(current), key=lambda p: -p[1].severity.rank):
        left = before.get(item.fingerprint)
        if left and left[0] >= item.severity.rank:
            left.pop(0)
        else:
            fresh.append((index, item))
    return [item for _, item in sorted(fresh, key=lambda p: p[0])]


# What runs against what is declared (SPEC section 11): found in a state file, but caused
# there by a change of declarations only when the state file itself did not change.
_STATE_RULES = frozenset({"drift", "version-skew", "state-stale", "rollout-stalled",
                          "undeclared-running"})


def _state_unchanged(item: Finding, base: Project, head: Project) -> bool:
    """A state rule's finding in a state file the change leaves as it was: the change is
    waiting to be deployed (its environments are listed), not a new problem to fix."""
    if item.rule not in _STATE_RULES:
        return False
    prefix = head.loaded.tree.prefix
    path = item.span.path
    if not path.startswith(prefix):
        return False
    rel = path[len(prefix):]
    return bool(base.loaded.tree.read(rel) == head.loaded.tree.read(rel))


def _through_broken(item: Finding, broken: Broken, hidden: Collection[NodeId],
                    side: Side) -> bool:
    """Whether a finding follows from a declaration that is invalid in head: a ref to it that
    resolves to nothing, or an artifact that only it used (`hidden`: the base nodes of the
    invalid declarations)."""
    if not broken:
        return False
    if item.rule == "unused-artifact" and item.subject is not None:
        base = side.snap
        at = base.index.get(item.subject)
        users = [base.ids[n] for n, _ in base.users(at)] if at is not None else []
        return bool(users) and all(user in hidden for user in users)
    if item.rule not in UNRESOLVED or item.value is None:
        return False
    try:
        ref = Ref.parse(item.value)
    except RefSyntaxError:
        return False
    versions = [v for kind, name, v in broken if (kind, name) == ref.key]
    spec = ref.spec
    return any(spec is None or (v is not None and parse_version(v) in spec) for v in versions)


# --- template diffs -------------------------------------------------------------------------


def _label(side: str, decl: Decl) -> str:
    return f"{side}: {decl.id} ({decl.template_path or decl.path})"


def text_diffs(base: Catalog, head: Catalog, found: list[Change]) -> list[TextDiff]:
    """For each behaviour change, its template text against the declaration it is compared
    with, and the text of each include that now resolves to another version (once each)."""
    out: list[TextDiff] = []
    seen: set[tuple[NodeId, NodeId]] = set()

    def add(node: NodeId, include: NodeId | None, old: Decl, new: Decl) -> None:
        if old.template is None or new.template is None or old.template == new.template or \
                (old.id, new.id) in seen:
            return
        seen.add((old.id, new.id))
        out.append(TextDiff(node, include, _label("base", old), _label("head", new),
                            old.template, new.template))

    behaviour = [c for c in found if "behavior" in c.classes and c.old is not None]
    for change in behaviour:  # own texts first, so an include's own change shows once
        assert change.old is not None
        add(change.node, None, change.old, change.decl)
    for change in behaviour:
        for moved in change.resolutions:
            if moved.field == "spec.includes" and moved.before and moved.after:
                add(change.node, moved.after, base.by_id[moved.before], head.by_id[moved.after])
    return out


# --- version rules (check --base) -----------------------------------------------------------


def version_findings(base: Project, head: Project,
                     found: list[Change] | None = None) -> list[Finding]:
    """version-not-bumped, version-decreased and removed-in-use (registry/versions.py) for
    head against base; `found` is the comparison's changes when they are already made."""
    if found is None:
        found = changes(base.catalog, head.catalog, broken_declarations(base, head))
    edited = [Edited(c.decl, tuple(f"{f.cls}: {f.field}" for f in c.fields
                                   if f.cls in NEEDS_BUMP))
              for c in found if c.status == "modified" and c.in_place]
    removed = {c.node for c in found if c.status == "removed"}
    return versions.findings(base.catalog, head.catalog, edited, removed)
