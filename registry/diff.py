"""Two revisions of a registry compared: what changed, how, what that reaches, what is new.

Nodes are compared by id (`kind/name@version`). A change is classed by what it touches:

| class     | when                                                                   |
|-----------|------------------------------------------------------------------------|
| behavior  | template text (inline or the templateFile's content), or any other spec |
|           | field that changes what runs (weights, data source, server command)    |
| interface | variables, tools                                                       |
| pin       | a ref, or a model's provider, id, revision or digest                   |
| lifecycle | metadata.deprecation                                                    |
| metadata  | description, labels, owner; dataset governance; team membership        |
| cosmetic  | a template change in whitespace only                                    |

A consumer whose own declaration did not change is still affected when one of its refs now
resolves to another version (a consumer of `^3` when 3.2.0 is added): status `resolution`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .catalog import REF_FIELDS, Catalog
from .findings import Finding, finding
from .impact import ImpactReport, dependents_of, summarize
from .load import Decl
from .project import Project
from .refs import KIND_TO_REF, NodeId, parse_version

CLASS_ORDER = ("behavior", "interface", "pin", "lifecycle", "metadata", "cosmetic")
# Changes that make a new version necessary; lifecycle and metadata may change in place
# (deprecating 3.1.0 marks 3.1.0 itself), and whitespace does not change a prompt's meaning.
NEEDS_BUMP = frozenset({"behavior", "interface", "pin"})

_PIN_FIELDS = {"spec.provider", "spec.modelId", "spec.revision", "spec.digest"}
_INTERFACE_FIELDS = {"spec.variables", "spec.tools"}
_METADATA_SPEC_FIELDS = {
    "Dataset": {"spec.license", "spec.classification", "spec.personalData", "spec.retention"},
    "Team": {"spec.members", "spec.contact", "spec.active"},
    "Feature": {"spec.tier"},
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    cls: str


@dataclass(frozen=True)
class Change:
    node: NodeId
    status: str  # added | removed | modified | resolution
    decl: Decl  # the head declaration (the base one when removed)
    fields: tuple[FieldChange, ...] = ()
    detail: str = ""  # for `resolution`: which ref now resolves where

    @property
    def classes(self) -> tuple[str, ...]:
        found = {f.cls for f in self.fields}
        if self.status == "resolution":
            found.add("pin")
        return tuple(c for c in CLASS_ORDER if c in found)


@dataclass(frozen=True)
class ChangeImpact:
    change: Change
    features: tuple[NodeId, ...]
    owners: tuple[str, ...]


@dataclass(frozen=True)
class PullReport:
    base: str  # labels, such as "main (1a2b3c4d5e6f)"
    head: str
    changes: tuple[ChangeImpact, ...]
    impact: ImpactReport
    new_findings: tuple[Finding, ...]
    base_rev: str = ""  # the revision as the user named it, to repeat in commands

    @property
    def nothing(self) -> bool:
        return not self.changes and not self.new_findings


# --- field diff ---------------------------------------------------------------------------


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    else:
        out[prefix] = value


def _fields(decl: Decl) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _flatten(decl.model.model_dump(mode="json", exclude_none=True), "", out)
    # Template text is compared on its own (it may live in a templateFile).
    out.pop("spec.template", None)
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


def field_changes(base: Decl, head: Decl) -> tuple[FieldChange, ...]:
    before, after = _fields(base), _fields(head)
    changed = [FieldChange(field, _class_of(head.kind, field))
               for field in sorted(set(before) | set(after))
               if before.get(field) != after.get(field)]
    if base.template != head.template:
        name = f"template file {head.template_path}" if head.template_path else "spec.template"
        same_words = (base.template or "").split() == (head.template or "").split()
        changed.append(FieldChange(name, "cosmetic" if same_words else "behavior"))
    return tuple(changed)


# --- the comparison -----------------------------------------------------------------------


def changes(base: Catalog, head: Catalog) -> list[Change]:
    found: list[Change] = []
    for node, decl in sorted(head.by_id.items()):
        old = base.by_id.get(node)
        if old is None:
            found.append(Change(node, "added", decl))
            continue
        fields = field_changes(old, decl)
        if fields:
            found.append(Change(node, "modified", decl, fields))
        else:
            moved = _resolution_changes(base, head, old, decl)
            if moved:
                found.append(Change(node, "resolution", decl, detail="; ".join(moved)))
    found.extend(Change(node, "removed", decl) for node, decl in sorted(base.by_id.items())
                 if node not in head.by_id)
    return found


def _resolution_changes(base: Catalog, head: Catalog, old: Decl, new: Decl) -> list[str]:
    """Refs written the same in both revisions that now resolve to another declaration."""
    moved: list[str] = []
    old_refs = {(site.field.keys, str(site.ref)) for site in base.ref_sites(old)}
    for site in head.ref_sites(new):
        if (site.field.keys, str(site.ref)) not in old_refs:
            continue
        then, now = base.resolve(site.ref), head.resolve(site.ref)
        if (then.id if then else None) != (now.id if now else None):
            was = then.id if then else "nothing"
            moved.append(f"{site.ref} now resolves to {now.id if now else 'nothing'} "
                         f"(was {was})")
    return moved


def compare(base: Project, head: Project, base_label: str, head_label: str,
            base_rev: str = "") -> PullReport:
    found = changes(base.catalog, head.catalog)
    in_head = [c.decl for c in found if c.status != "removed"]
    removed = [c.decl for c in found if c.status == "removed"]
    reached = dependents_of(head.catalog, head.graph, in_head, include_targets=True)
    seen = {d.decl.id for d in reached}
    reached += [d for d in dependents_of(base.catalog, base.graph, removed, include_targets=True)
                if d.decl.id not in seen]
    reached.sort(key=lambda d: (d.distance, d.decl.id))
    impact = summarize(head.catalog, [*in_head, *removed], reached)
    per_change = tuple(_change_impact(base, head, change) for change in found)
    return PullReport(base_label, head_label, per_change, impact,
                      tuple(new_findings(base, head)), base_rev or base_label)


def _change_impact(base: Project, head: Project, change: Change) -> ChangeImpact:
    side = base if change.status == "removed" else head
    reached = dependents_of(side.catalog, side.graph, [change.decl], include_targets=True)
    features = tuple(sorted(d.decl.id for d in reached if d.decl.kind == "Feature"))
    owners = tuple(sorted({d.decl.owner for d in reached
                           if d.decl.owner and d.decl.kind == "Feature"}))
    return ChangeImpact(change, features, owners)


def new_findings(base: Project, head: Project) -> list[Finding]:
    """Head's findings that base did not have (same rule, severity, file and message; lines
    may move). A warning the branch turns into an error is a new error."""
    before = Counter((f.rule, f.severity, f.span.path, f.message)
                     for f in base.check().findings)
    fresh: list[Finding] = []
    for item in head.check().findings:
        key = (item.rule, item.severity, item.span.path, item.message)
        if before[key] > 0:
            before[key] -= 1
        else:
            fresh.append(item)
    return fresh


# --- version rules (check --base) -----------------------------------------------------------


def version_findings(base: Catalog, head: Catalog) -> list[Finding]:
    out: list[Finding] = []
    for change in changes(base, head):
        decl = change.decl
        if decl.version is None or change.status != "modified":
            continue
        needs = [f for f in change.fields if f.cls in NEEDS_BUMP]
        if needs:
            what = ", ".join(f"{f.cls}: {f.field}" for f in needs)
            out.append(finding(
                "version-not-bumped",
                f"{decl.id} changed ({what}) but its version did not; give it a new version "
                f"(aireg bump {decl.id} patch|minor|major)", decl.at("metadata", "version")))
    return out + _decreased(base, head)


def _decreased(base: Catalog, head: Catalog) -> list[Finding]:
    """A version edited downwards: in one file, the versions of an artifact that went away
    and those that came, paired lowest with lowest; a new one below its pair went down.
    Adding an older line's release beside newer ones (2.5.0 beside 3.1.0) is not."""
    out: list[Finding] = []
    for key, decls in sorted(head.by_key.items()):
        for path in sorted({d.path for d in decls}):
            now = {d.version: d for d in decls if d.path == path and d.version}
            then = {d.version for d in base.by_key.get(key, []) if d.path == path and d.version}
            added = sorted(set(now) - then, key=parse_version)
            gone = sorted(then - set(now), key=parse_version)
            for old, new in zip(gone, added, strict=False):
                if parse_version(new) < parse_version(old):
                    decl = now[new]
                    artifact = f"{KIND_TO_REF[decl.kind]}/{decl.name}"
                    out.append(finding(
                        "version-decreased",
                        f"the version of {artifact} in this file went down from {old} to "
                        f"{new}; versions only go up: use a version above {old}",
                        decl.at("metadata", "version")))
    return out
