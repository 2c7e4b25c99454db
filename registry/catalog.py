"""The loaded set of declarations: lookup, ref resolution, and the structural findings."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from semantic_version import Version

from . import kinds
from .decl import Decl
from .findings import Finding, Pointer, RefArgumentError, finding
from .load import Loaded
from .refs import KIND_TO_REF, NodeId, Ref, RefSyntaxError, best_match, parse_version, suggest

ANY_USABLE = frozenset({"model", "prompt", "adapter", "dataset", "mcp", "feature", "eval",
                        "index"})


@dataclass(frozen=True)
class RefField:
    """A field that holds refs, what it accepts, and the edge label it makes."""

    keys: tuple[str, ...]
    accepts: frozenset[str]
    label: str
    many: bool = True
    # Items may also be mappings that hold the ref under this key (derivedFrom's steps).
    item_key: str | None = None
    # The keys to each item of a list field, made once: a large registry has hundreds of
    # thousands of refs and a few dozen distinct positions.
    _indexed: list[tuple[str | int, ...]] = dataclasses.field(
        default_factory=list, compare=False, repr=False)

    def keys_at(self, index: int) -> tuple[str | int, ...]:
        """The keys to the ref at `index` (the field itself when it holds one ref)."""
        if not self.many:
            return self.keys
        indexed = self._indexed
        while len(indexed) <= index:
            indexed.append((*self.keys, len(indexed)))
        return indexed[index]


REF_FIELDS: dict[str, tuple[RefField, ...]] = {
    "Prompt": (
        RefField(("spec", "includes"), frozenset({"prompt"}), "includes"),
        RefField(("spec", "model"), frozenset({"model"}), "model", many=False),
        RefField(("spec", "tools"), frozenset({"mcp"}), "tool"),
        RefField(("spec", "uses"), frozenset({"index"}), "uses"),
        RefField(("spec", "queryModel"), frozenset({"model"}), "query-model", many=False),
    ),
    "Adapter": (
        RefField(("spec", "baseModel"), frozenset({"model"}), "base-model", many=False),
        RefField(("spec", "datasets"), frozenset({"dataset"}), "trained-on"),
        RefField(("spec", "evalDatasets"), frozenset({"dataset"}), "tested-on"),
    ),
    "Dataset": (
        RefField(("spec", "derivedFrom"), frozenset({"dataset"}), "derived-from",
                 item_key="ref"),
        RefField(("spec", "excludes"), frozenset({"revocation"}), "excludes"),
    ),
    "Feature": (
        RefField(("spec", "uses"), ANY_USABLE, "uses"),
        RefField(("spec", "queryModel"), frozenset({"model"}), "query-model", many=False),
    ),
    "Eval": (
        RefField(("spec", "covers"), ANY_USABLE, "covers"),
        RefField(("spec", "datasets"), frozenset({"dataset"}), "uses-data"),
    ),
    "Environment": (RefField(("spec", "deploys"), ANY_USABLE - {"eval"}, "deploys"),),
    "VectorIndex": (
        RefField(("spec", "embeddingModel"), frozenset({"model"}), "embedded-by", many=False),
        RefField(("spec", "builtFrom"), frozenset({"dataset"}), "built-from"),
    ),
    "Revocation": (RefField(("spec", "affects"), frozenset({"dataset"}), "revokes"),),
}
_KIND_WORDS = {"model": "models", "prompt": "prompts", "adapter": "adapters",
               "dataset": "datasets", "mcp": "MCP servers", "feature": "features",
               "eval": "evals", "team": "teams", "user": "users", "env": "environments",
               "index": "vector indexes", "revocation": "revocations"}


class RefSite(NamedTuple):
    """One ref as written in a declaration (its position is made only when asked for)."""

    decl: Decl
    field: RefField
    ref: Ref
    keys: tuple[str | int, ...]

    @property
    def at(self) -> Pointer:
        return self.decl.at(*self.keys)

    def finding(self, rule: str, message: str) -> Finding:
        """A finding about this ref: its declaration, its field and the ref as written."""
        return finding(rule, message, self.at, subject=self.decl.id,
                       field=".".join(self.field.keys), value=str(self.ref))


class Edge(NamedTuple):
    source: NodeId
    target: NodeId
    label: str
    member: str | None
    site: RefSite

    @property
    def at(self) -> Pointer:
        return self.site.at


def _ref_fields(decl: Decl) -> Iterator[tuple[RefField, Sequence[str], frozenset[int]]]:
    """The ref fields a declaration fills, each with its refs as written (one for a field
    that holds one ref) and the indices of the items written as mappings; the ref at index
    i is at `field.keys_at(i)`, or under `field.item_key` there for a mapping."""
    spec = decl.model.spec
    for field in REF_FIELDS.get(decl.kind, ()):
        value = getattr(spec, field.keys[-1])
        if value is None:
            continue
        if field.item_key is None:
            yield field, value if field.many else (value,), frozenset()
            continue
        objects = frozenset(i for i, item in enumerate(value) if not isinstance(item, str))
        yield field, [item if isinstance(item, str) else getattr(item, field.item_key)
                      for item in value], objects


def _keys(field: RefField, index: int, objects: frozenset[int]) -> tuple[str | int, ...]:
    keys = field.keys_at(index)
    return (*keys, field.item_key) if index in objects and field.item_key else keys


def version_key(decl: Decl) -> tuple[int, Version | None]:
    return (0, None) if decl.version is None else (1, parse_version(decl.version))


class Catalog:
    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.config = loaded.config
        self.findings: list[Finding] = []
        self.by_id: dict[NodeId, Decl] = {}
        groups: dict[tuple[str, str], list[Decl]] = defaultdict(list)
        for decl in loaded.decls:
            first = self.by_id.get(decl.id)
            if first is not None:
                self.findings.append(finding(
                    "duplicate",
                    f"{decl.id} is declared twice (first at {{related}}); remove one, or give "
                    "this one a new version",
                    decl.at("metadata", "name"), (first.at("metadata", "name"),),
                    subject=decl.id, field="metadata.name"))
                continue
            self.by_id[decl.id] = decl
            groups[(decl.kind, decl.name)].append(decl)
        self.by_key: dict[tuple[str, str], list[Decl]] = {
            key: sorted(decls, key=version_key) for key, decls in groups.items()}
        self.teams: dict[str, kinds.Team] = {
            d.name: d.model for d in self.by_id.values() if isinstance(d.model, kinds.Team)}
        # handle -> the teams (sorted names) that list it as a member
        self.memberships: dict[str, list[str]] = {}
        for team_name, team in sorted(self.teams.items()):
            for member in team.spec.members:
                self.memberships.setdefault(member, []).append(team_name)
        self.edges: list[Edge] = []
        self._resolved: dict[tuple[tuple[str, str], str | None], Decl | None] = {}
        self._sites: dict[NodeId, list[RefSite]] = {}
        self._resolve_all()

    # --- lookup ---------------------------------------------------------------------------

    def decls(self) -> list[Decl]:
        return list(self.by_id.values())

    def of_kind(self, kind: str) -> list[Decl]:
        return [d for d in self.by_id.values() if d.kind == kind]

    def resolve(self, ref: Ref) -> Decl | None:
        """The declaration a ref resolves to: the highest version satisfying its range."""
        # Many refs share an artifact and a range (a hundred prompts on `^3`): resolve each
        # pair once. The catalog does not change after it is built.
        memo_key = (ref.key, ref.constraint)
        if memo_key in self._resolved:
            return self._resolved[memo_key]
        found = self._resolve(ref)
        self._resolved[memo_key] = found
        return found

    def _resolve(self, ref: Ref) -> Decl | None:
        candidates = self.by_key.get(ref.key)
        if not candidates:
            return None
        versioned = {d.version: d for d in candidates if d.version is not None}
        if ref.constraint is None and not versioned:
            return candidates[-1]
        chosen = best_match(ref.spec, list(versioned))
        return versioned[chosen] if chosen is not None else None

    def matching(self, ref: Ref) -> list[Decl]:
        """Every declared version a ref's range admits (all of them with no range)."""
        candidates = self.by_key.get(ref.key, [])
        if ref.constraint is None:
            return list(candidates)
        spec = ref.spec
        assert spec is not None
        return [d for d in candidates if d.version is not None and parse_version(d.version) in
                spec]

    def lookup(self, text: str) -> list[Decl]:
        """The declarations a ref given on the command line names, or a RefArgumentError."""
        try:
            ref = Ref.parse(text)
        except RefSyntaxError as error:
            raise RefArgumentError(str(error)) from None
        if ref.kind == "user":
            raise RefArgumentError(f"`{text}` names a person; name a declaration instead")
        found = self.matching(ref)
        if not found:
            raise RefArgumentError(self._not_found(ref))
        if ref.member is not None:
            for decl in found:
                tools = [t.name for t in getattr(decl.model.spec, "tools", [])]
                if ref.member not in tools:
                    listed = ", ".join(tools) if tools else "none"
                    raise RefArgumentError(
                        f"{decl.id} has no tool `{ref.member}`{suggest(ref.member, tools)}; "
                        f"its tools: {listed}")
        return found

    def _not_found(self, ref: Ref) -> str:
        declared = self.by_key.get(ref.key, [])
        versions = [d.version for d in declared if d.version]
        if versions:
            return (f"no version of {ref.kind}/{ref.name} satisfies `{ref.constraint}`; "
                    f"declared: {', '.join(versions)}")
        if declared:
            return (f"{ref.kind}/{ref.name} is declared without a version, so "
                    f"`@{ref.constraint}` cannot match; remove the range")
        return (f"{ref.kind}/{ref.name} is not declared{self._similar(ref)}; "
                "run `aireg ls` to see what is")

    def _similar(self, ref: Ref) -> str:
        """` (did you mean prompt/house-style?)` for a misspelt artifact name."""
        names = [name for (kind, name) in self.by_key if kind == ref.decl_kind]
        return suggest(ref.name, names, prefix=f"{ref.kind}/")

    def owner_status(self, owner: str | None) -> str:
        """ok | missing | unknown-team | inactive-team | unknown-user | inactive-user.

        `user/<handle>` is active when the handle is a member of an active team.
        """
        if owner is None:
            return "missing"
        kind, _, name = owner.partition("/")
        if kind == "team":
            team = self.teams.get(name)
            if team is None:
                return "unknown-team"
            return "ok" if team.spec.active else "inactive-team"
        teams = self.memberships.get(name, [])
        if not teams:
            return "unknown-user"
        return "ok" if any(self.teams[t].spec.active for t in teams) else "inactive-user"

    def owner_team(self, owner: str | None) -> list[str]:
        """The teams an owner stands for: the team itself, or the active teams a user is in."""
        if owner is None:
            return []
        kind, _, name = owner.partition("/")
        if kind == "team":
            return [name] if name in self.teams else []
        return [t for t in self.memberships.get(name, []) if self.teams[t].spec.active]

    # --- refs -----------------------------------------------------------------------------

    def ref_sites(self, decl: Decl) -> list[RefSite]:
        """The refs a declaration writes, in field order (computed once per declaration)."""
        sites = self._sites.get(decl.id)
        if sites is None:
            sites = self._sites[decl.id] = list(self._ref_sites(decl))
        return sites

    def _ref_sites(self, decl: Decl) -> Iterator[RefSite]:
        for field, texts, objects in _ref_fields(decl):
            for index, text in enumerate(texts):
                yield RefSite(decl, field, Ref.parse(text), _keys(field, index, objects))

    def _resolve_all(self) -> None:
        # The hot loop of a large registry (five refs a declaration): a ref text that once
        # resolved cleanly from a field accepting the same kinds resolves the same way again,
        # so only new texts and refs with something to report take the full path.
        clean: dict[frozenset[str], dict[str, tuple[Ref, NodeId, str | None]]] = {}
        edges = self.edges
        for decl in self.by_id.values():
            source = decl.id
            sites: list[RefSite] = []
            self._sites[source] = sites
            for field, texts, objects in _ref_fields(decl):
                known = clean.get(field.accepts)
                if known is None:
                    known = clean[field.accepts] = {}
                for index, text in enumerate(texts):
                    keys = _keys(field, index, objects) if objects else field.keys_at(index)
                    hit = known.get(text)
                    if hit is not None:
                        site = RefSite(decl, field, hit[0], keys)
                        sites.append(site)
                        edges.append(Edge(source, hit[1], field.label, hit[2], site))
                        continue
                    site = RefSite(decl, field, Ref.parse(text), keys)
                    sites.append(site)
                    before = len(self.findings)
                    target = self._resolve_site(site)
                    if target is None:
                        continue
                    if len(self.findings) == before:
                        known[text] = (site.ref, target.id, site.ref.member)
                    edges.append(Edge(source, target.id, field.label, site.ref.member, site))
            deprecation = decl.model.metadata.deprecation
            if deprecation is not None and deprecation.replacement is not None:
                # A replacement must exist, and be of the same kind; it makes no edge.
                field = RefField(("metadata", "deprecation", "replacement"),
                                 frozenset({KIND_TO_REF[decl.kind]}), "replacement", many=False)
                self._resolve_site(RefSite(decl, field, Ref.parse(deprecation.replacement),
                                           field.keys))

    def _resolve_site(self, site: RefSite) -> Decl | None:
        ref, field = site.ref, site.field
        if ref.kind not in field.accepts:
            wanted = ", ".join(_KIND_WORDS[k] for k in sorted(field.accepts))
            self.findings.append(site.finding(
                "ref-kind", f"`{'.'.join(field.keys)}` takes refs to {wanted}, not "
                f"{_KIND_WORDS[ref.kind]} (`{ref}`)"))
            return None
        candidates = self.by_key.get(ref.key)
        if not candidates:
            self.findings.append(site.finding(
                "dangling-ref", f"`{ref}` names {ref.kind}/{ref.name}, which is not declared"
                f"{self._similar(ref)}; declare it or fix the ref"))
            return None
        target = self.resolve(ref)
        if target is None:
            versions = [d.version for d in candidates if d.version is not None]
            if versions:
                message = (f"no declared version of {ref.kind}/{ref.name} satisfies "
                           f"`{ref.constraint}`; declared: {', '.join(versions)}")
            else:
                message = (f"{ref.kind}/{ref.name} is declared without a version, so "
                           f"`@{ref.constraint}` cannot match; remove the range")
            self.findings.append(site.finding("unsatisfied-ref", message))
            return None
        if ref.member is not None and isinstance(target.model, kinds.McpServer):
            tools = [tool.name for tool in target.model.spec.tools]
            if ref.member not in tools:
                listed = ", ".join(tools) if tools else "none"
                self.findings.append(site.finding(
                    "unknown-tool", f"{target.id} has no tool `{ref.member}`"
                    f"{suggest(ref.member, tools)}; its tools: {listed}"))
        return target
