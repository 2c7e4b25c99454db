"""`--format json`: stable, sorted output; each shape is a pydantic model, so schemas/ has it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, Field

from ..decl import Decl
from ..findings import Finding
from ..graph import Hop
from ..rules import CheckResult
from .fields import (
    Contacts,
    Day,
    Evals,
    Features,
    HighestTier,
    KindText,
    Label,
    NodeText,
    Out,
    OwnerText,
    RegistryName,
    TeamOwner,
    Tier,
    version_field,
)
from .lineage import LineageOut
from .tree import impact_fields

if TYPE_CHECKING:
    from ..bom_score import Review
    from ..diff import ChangeImpact, PullReport
    from ..history import HistoryReport
    from ..lifecycle import DeadlineReport
    from ..orphans import OrphanReport
    from ..views import Listing, ShowView, Subgraph


class HopOut(Out):
    source: str = Field(description="the node that uses `target`")
    target: str = Field(description="the node `source` uses")
    label: Label


class FindingOut(Out):
    rule: str = Field(description="the rule's id (docs/rules.md)")
    severity: Literal["error", "warning", "info"] = Field(
        description="the rule's severity, or the one policy.rules sets for it")
    message: str = Field(description="what is wrong and, where the rule knows it, the fix")
    path: str = Field(description="relative to the repository root, forward slashes")
    line: int = Field(description="the line in `path`, from 1")
    column: int = Field(description="the column in `line`, from 1")
    subject: str | None = Field(description="the node the finding is about "
                                "(kind/name@version), or null when it is about no declaration")
    field: str | None = Field(description="the field it is about, dotted, without list "
                              "indices (spec.includes), or null")
    fingerprint: str = Field(description="a stable hash of the rule, the subject's kind/name "
                             "(no version), the field and the ref or value it is about: the "
                             "same finding keeps it when its message, line, file or version "
                             "changes (a finding about no declaration hashes its file)")


class Counts(Out):
    error: int = Field(description="the findings of severity error")
    warning: int = Field(description="the findings of severity warning")
    info: int = Field(description="the findings of severity info")


class CheckOut(Out):
    version: Literal[1] = version_field(1)
    registry: RegistryName
    declarations: int = Field(description="the declarations read")
    files: int = Field(description="the declaration files read")
    counts: Counts = Field(description="the findings by severity")
    findings: list[FindingOut] = Field(description="every finding, by path, line and column")


class DeclOut(Out):
    id: NodeText
    kind: KindText
    name: str = Field(description="metadata.name")
    version: str | None = Field(description="metadata.version; null for a kind without "
                                "versions")
    owner: OwnerText
    description: str | None = Field(description="metadata.description, or null")
    path: str = Field(description="its file, relative to the repository root, forward slashes")
    line: int = Field(description="the line its document starts at in `path`, from 1")


class LsOut(Out):
    version: Literal[1] = version_field(1)
    registry: RegistryName
    declarations: list[DeclOut] = Field(description="the declarations that match, by kind "
                                        "and id")


class OtherDayOut(Out):
    where: str = Field(description="a region or deployment type the day applies to")
    day: Day


class RetirementOut(Out):
    sunset: str = Field(description="the day, YYYY-MM-DD (the earliest, when days differ)")
    dateKind: str = Field(description="firm | estimated | not-before")
    source: str = Field(description="the source of the fact, by name (such as the provider's "
                        "deprecations page)")
    sourceUrl: str | None = Field(description="where that source is published, or null")
    read: str | None = Field(description="the day the fact was read from its source")
    replacement: str | None = Field(description="the model the source names to move to, or "
                                    "null")
    otherDays: list[OtherDayOut] = Field(description="days that apply elsewhere than `sunset`")


class ShowOut(DeclOut):
    digest: str = Field(description="the canonical content digest of this version (`aireg "
                        "digest`): sha256 of what the model is sent, never of YAML formatting")
    declaration: dict[str, Any] = Field(description="the declaration as written, defaults filled")
    otherVersions: list[str] = Field(description="the artifact's other declared versions, "
                                     "lowest first")
    uses: list[HopOut] = Field(description="the edges from this node to what it uses")
    usedBy: list[HopOut] = Field(description="the edges into this node from what uses it")
    retirement: RetirementOut | None = Field(
        description="a Model's known retirement from the retirements data; null when the "
                    "data has none (or the declaration is not a Model)")


class ReachOut(Out):
    id: NodeText
    kind: KindText
    owner: OwnerText
    distance: int = Field(description="edges from the nearest target (impact) or from the "
                          "root (deps); 0 for a changed artifact itself (impact --base)")
    next: str | None = Field(description="the node one edge nearer the targets (impact) or "
                             "the root (deps), listed in the same output unless it is a target "
                             "or the root: follow `next` to rebuild one shortest path; null at "
                             "distance 0")
    label: str | None = Field(description="the label of the edge between this node and "
                              "`next` (includes, model, tool, base-model, trained-on, ...)")


class DepsOut(Out):
    version: Literal[2] = version_field(2)
    root: str = Field(description="the node whose dependencies these are")
    dependencies: list[ReachOut] = Field(description="everything the root uses, directly or "
                                         "not, nearest first")


class FeatureOut(Out):
    id: NodeText
    tier: Tier
    owner: OwnerText
    next: str | None = Field(description="as in `dependents`: follow it to rebuild the path")
    label: str | None = Field(description="as in `dependents`: the edge to `next`")


class OwnerOut(Out):
    owner: TeamOwner
    contacts: Contacts
    affected: list[str] = Field(description="the owner's nodes among the dependents")


# Both impact outputs (by ref and --base) list these alike.
FeaturesHit = Annotated[list[FeatureOut], Field(description="the Features among the "
                                                "dependents, highest tier first")]
OwnersToTell = Annotated[list[OwnerOut], Field(description="the owners to tell, with what "
                                               "of theirs is affected (Evals and "
                                               "Environments left out)")]


class ImpactOut(Out):
    version: Literal[2] = version_field(2)
    targets: list[str] = Field(description="the nodes the ref names")
    highestTier: HighestTier
    dependents: list[ReachOut] = Field(description="everything that uses a target, directly "
                                       "or not, nearest first")
    features: FeaturesHit
    owners: OwnersToTell
    evals: Evals


class NodeOut(Out):
    id: NodeText
    kind: KindText
    owner: OwnerText


class EdgeOut(Out):
    source: str = Field(description="the node that uses `target`")
    target: str = Field(description="the node `source` uses")
    label: Label
    member: str | None = Field(description="the tool, for an edge to one tool of an MCP "
                               "server; null otherwise")


class GraphOut(Out):
    version: Literal[1] = version_field(1)
    nodes: list[NodeOut] = Field(description="the nodes, by id")
    edges: list[EdgeOut] = Field(description="the edges between those nodes")


class OwnerContactOut(Out):
    owner: TeamOwner
    contacts: Contacts


class DeadlineOut(Out):
    id: NodeText
    kind: KindText
    sunset: str = Field(description="YYYY-MM-DD; after this day nothing may depend on it")
    daysLeft: int = Field(description="negative when the day has passed")
    status: Literal["passed", "upcoming"] = Field(description="passed once the day is behind "
                                                  "`today`")
    declared: bool = Field(description="true when metadata.deprecation sets the day")
    source: str = Field(description="where the day comes from: the declaration's field or "
                        "the retirement data's source")
    dateKind: str = Field(description="firm | not-before | earliest | estimated")
    replacement: str | None = Field(description="what to move to, when the source names it")
    reason: str | None = Field(description="why, when metadata.deprecation says")
    features: Features
    owners: list[OwnerContactOut] = Field(description="the owners of it and of what depends "
                                          "on it (Environments left out), by owner")
    actions: list[str] = Field(description="what the day makes someone do, such as `rebuild "
                               "index/help-center@5.0.0 before 2027-01-31` for each index a "
                               "retiring embedding model embedded")


class DeprecationsOut(Out):
    version: Literal[1] = version_field(1)
    today: str = Field(description="the day judged from, YYYY-MM-DD")
    window: int = Field(description="policy.deprecationWindowDays: a day at most this many "
                        "days away is soon")
    deadlines: list[DeadlineOut] = Field(description="by day, then id")


class ReasonOut(Out):
    code: str = Field(description="base-retired, base-retiring, base-deprecated, "
                      "base-missing, owner-unknown, owner-inactive, data-missing, "
                      "data-expired, data-unsourced or unused")
    detail: str = Field(description="the reason in words")


class OrphanOut(Out):
    id: NodeText
    owner: OwnerText
    base: str | None = Field(description="the base model node the adapter resolves to; null "
                             "when none")
    severity: Literal["error", "warning"] = Field(
        description="error when the base model retired on a firm day, warning otherwise")
    reasons: list[ReasonOut] = Field(description="every reason that holds, in the order of "
                                     "`code`'s list")
    usedBy: list[str] = Field(description="the nodes that use the adapter")


class OrphansOut(Out):
    version: Literal[1] = version_field(1)
    today: str = Field(description="the day judged from, YYYY-MM-DD")
    orphans: list[OrphanOut] = Field(description="the orphaned adapters, by id")


class FieldChangeOut(Out):
    field: str = Field(description="the field, dotted (spec.template)")
    cls: str = Field(alias="class", serialization_alias="class",
                     description="behavior | interface | pin | lifecycle | metadata | cosmetic")
    before: Any = Field(description="the value in base (null when absent); for a list, the "
                        "members only base has")
    after: Any = Field(description="the value in head (null when absent); for a list, the "
                       "members only head has")


class ResolutionOut(Out):
    field: str = Field(description="the field the ref is in, such as spec.includes")
    ref: str = Field(description="the ref, written the same in both revisions")
    before: str | None = Field(description="the node it resolved to in base, or null")
    after: str | None = Field(description="the node it resolves to in head, or null")


class ChangeOut(Out):
    id: str = Field(description="the node in head (in base when removed)")
    previous: str | None = Field(description="the base node compared with, when it is "
                                 "another node: the version this one succeeds (modified) or "
                                 "the highest lower version it was added beside (added)")
    kind: KindText
    change: Literal["added", "removed", "modified", "invalid", "resolution"] = Field(
        description="modified: changed in place, or a new version succeeding one head no "
        "longer declares; invalid: declared in base, failing validation in head; resolution: "
        "only refs that now resolve elsewhere")
    reasons: list[Literal["added", "removed", "modified", "invalid", "resolution"]] = Field(
        description="why it is listed: its own change and, when refs moved, resolution")
    classes: list[str] = Field(description="the classes of its field changes")
    fields: list[FieldChangeOut] = Field(description="the fields that changed")
    resolutions: list[ResolutionOut] = Field(
        description="refs written the same on both sides that now resolve elsewhere")
    detail: str = Field(description="the resolutions in words")
    features: Features
    owners: list[str] = Field(description="the owners of what depends on it")
    environments: list[str] = Field(description="the environments that will run it (that ran "
                                    "it, when removed), in stage order: development, staging, "
                                    "production")


class ReindexOut(Out):
    index: str = Field(description="the VectorIndex node")
    reasons: list[str] = Field(description="why its vectors are stale, in words")
    causes: list[str] = Field(description="the changed declarations that make it stale")
    records: int | None = Field(description="the records of the corpora it is built from; "
                                "null when one of them declares no `records`")
    corpora: list[str] = Field(description="the Datasets it is built from (spec.builtFrom)")
    uncounted: list[str] = Field(description="corpora that declare no `records`")
    store: str = Field(description="its spec.store: the type, a space, the uri")


class ImpactBaseOut(Out):
    version: Literal[2] = version_field(2)
    base: str = Field(description="the base revision as given, then the first 12 hex digits "
                      "of its commit in parentheses")
    head: str = Field(description="`the working tree`, or --head as given with its commit, as "
                      "in `base`")
    baseHasRegistry: bool = Field(description=(
        "false when the base has no aireg.yaml in the registry's folder: it is compared as an "
        "empty registry, so every declaration is added"))
    changes: list[ChangeOut] = Field(description="the declarations that changed")
    highestTier: HighestTier
    dependents: list[ReachOut] = Field(description="the changed artifacts and everything that "
                                       "uses them, nearest first")
    features: FeaturesHit
    owners: OwnersToTell
    evals: Evals
    newFindings: list[FindingOut] = Field(description="the findings of head whose "
                                          "fingerprint base lacks")
    reindex: list[ReindexOut] = Field(description="the vector indexes whose vectors the changes "
                                      "make stale: rebuild each beside the current one, then "
                                      "switch")


class EventOut(Out):
    id: NodeText
    version: str | None = Field(description="the artifact's version; null for a kind without "
                                "versions")
    change: Literal["introduced", "changed", "succeeds", "removed"] = Field(
        description="what the commit did to this version")
    previous: str | None = Field(description=(
        "with `succeeds`: the version this one replaced (aireg bump of 3.1.0 to 3.1.1 is one "
        "event of 3.1.1 with previous 3.1.0), compared with it for classes and fields"))
    classes: list[str] = Field(description="the classes of the field changes")
    fields: list[str] = Field(description="the fields that changed, dotted")
    commit: str = Field(description="the commit's full sha")
    day: str = Field(description="the commit's author date, YYYY-MM-DD")
    author: str = Field(description="the commit's author name")
    subject: str = Field(description="the first line of the commit message")


class HistoryOut(Out):
    version: Literal[1] = version_field(1)
    artifact: str = Field(description="kind/name, every version of it")
    events: list[EventOut] = Field(description="oldest first")


class MissingOut(Out):
    source: Literal["owasp", "cyclonedx"] = Field(description="the field list that asks for it")
    field: str = Field(description="the field, as that list names it")
    key: str | None = Field(description="the declaration key that fills it; null when no "
                            "aireg key can")


class ScoredOut(Out):
    id: str = Field(description="the component's bom-ref (the declaration's node id)")
    owasp: float | None = Field(description="OWASP AIBOM weighted score, 0-100, of a model or "
                                "adapter; null for other components")
    expected: int = Field(description="CycloneDX ML-BOM guide fields expected of it")
    present: int = Field(description="of those, the ones the BOM has")
    missing: list[MissingOut] = Field(description="the fields either list asks for that the "
                                      "BOM lacks")


class FieldListOut(Out):
    title: str = Field(description="the field list's title")
    source: str = Field(description="where the field list is published")
    license: str = Field(description="the SPDX license of the field list")


class CompletenessOut(Out):
    version: Literal[2] = version_field(2)
    owasp: float | None = Field(description="mean OWASP AIBOM weighted score of the models "
                                "and adapters, 0-100; null when there is none")
    cyclonedx: int = Field(description="percent of the CycloneDX ML-BOM guide's fields present")
    sources: list[FieldListOut] = Field(description="the two field lists scored against: "
                                        "OWASP's, then CycloneDX's")
    components: list[ScoredOut] = Field(description="each component of the BOM, scored")


OUTPUTS: dict[str, type[BaseModel]] = {
    "check": CheckOut, "ls": LsOut, "show": ShowOut, "deps": DepsOut, "impact": ImpactOut,
    "graph": GraphOut, "deprecations": DeprecationsOut, "orphans": OrphansOut,
    "impact-base": ImpactBaseOut, "history": HistoryOut, "bom-completeness": CompletenessOut,
    "lineage": LineageOut,
}


def dump(model: Out) -> str:
    return model.model_dump_json(indent=2, by_alias=True) + "\n"


def _hops(path: tuple[Hop, ...]) -> list[HopOut]:
    return [HopOut(source=h.source, target=h.target, label=h.label) for h in path]


def _finding(item: Finding) -> FindingOut:
    span = item.span
    return FindingOut(rule=item.rule, severity=item.severity.value, message=item.message,
                      path=span.path, line=span.line, column=span.column, subject=item.subject,
                      field=item.field, fingerprint=item.fingerprint)


def check(result: CheckResult) -> str:
    from ..findings import Severity

    counts = Counts(error=result.count(Severity.ERROR), warning=result.count(Severity.WARNING),
                    info=result.count(Severity.INFO))
    return dump(CheckOut(registry=result.registry, declarations=result.declarations,
                         files=result.files, counts=counts,
                         findings=[_finding(f) for f in result.findings]))


def decl_out(decl: Decl, line: int) -> DeclOut:
    return DeclOut(id=decl.id, kind=decl.kind, name=decl.name, version=decl.version,
                   owner=decl.owner, description=decl.model.metadata.description,
                   path=decl.path, line=line)


def ls(listing: Listing) -> str:
    return dump(LsOut(registry=listing.registry,
                      declarations=[decl_out(r.decl, r.line) for r in listing.rows]))


def show(view: ShowView) -> str:
    decl, retirement = view.decl, view.retirement
    base = decl_out(decl, view.line)
    known = None if retirement is None else RetirementOut(
        sunset=retirement.sunset.isoformat(), dateKind=retirement.date_kind,
        source=retirement.source, sourceUrl=retirement.source_url,
        read=retirement.read.isoformat() if retirement.read else None,
        replacement=retirement.replacement,
        otherDays=[OtherDayOut(where=where, day=day.isoformat())
                   for where, day in retirement.other_days])
    return dump(ShowOut(
        **base.model_dump(), digest=view.digest,
        declaration=decl.model.model_dump(mode="json", exclude_none=True),
        otherVersions=list(view.other_versions),
        uses=_hops(view.uses),
        usedBy=_hops(view.used_by),
        retirement=known,
    ))


def impact_base(report: PullReport) -> str:
    return dump(ImpactBaseOut(
        base=report.base, head=report.head, baseHasRegistry=not report.base_absent,
        changes=[_change(c) for c in report.changes],
        newFindings=[_finding(f) for f in report.new_findings],
        reindex=[ReindexOut(index=r.index, reasons=list(r.reasons), causes=list(r.causes),
                            records=r.records, corpora=list(r.corpora),
                            uncounted=list(r.uncounted), store=r.store)
                 for r in report.reindex],
        **impact_fields(report.impact)))


def _change(item: ChangeImpact) -> ChangeOut:
    change = item.change
    return ChangeOut(
        id=change.node, previous=change.previous, kind=change.decl.kind, change=change.status,
        reasons=list(change.reasons), classes=list(change.classes),
        fields=[FieldChangeOut(field=f.field, before=f.before, after=f.after,
                               **{"class": f.cls}) for f in change.fields],
        resolutions=[ResolutionOut(field=r.field, ref=r.ref, before=r.before, after=r.after)
                     for r in change.resolutions],
        detail=change.detail, features=list(item.features), owners=list(item.owners),
        environments=list(item.environments))


def graph(sub: Subgraph) -> str:
    return dump(GraphOut(
        nodes=[NodeOut(id=n.id, kind=n.kind, owner=n.owner) for n in sub.nodes],
        edges=[EdgeOut(source=e.source, target=e.target, label=e.label, member=e.member)
               for e in sub.edges],
    ))


def deprecations(report: DeadlineReport) -> str:
    return dump(DeprecationsOut(today=report.today.isoformat(), window=report.window, deadlines=[
        DeadlineOut(
            id=row.sunset.node, kind=row.decl.kind, sunset=row.sunset.day.isoformat(),
            daysLeft=row.days_left, status="passed" if row.days_left < 0 else "upcoming",
            declared=row.sunset.declared, source=row.sunset.source,
            dateKind=row.sunset.date_kind, replacement=row.sunset.replacement,
            reason=row.sunset.reason, features=list(row.features),
            owners=[OwnerContactOut(owner=o, contacts=list(c)) for o, c in row.owners],
            actions=list(row.actions))
        for row in report.rows]))


def orphans(report: OrphanReport) -> str:
    return dump(OrphansOut(today=report.today.isoformat(), orphans=[
        OrphanOut(id=o.decl.id, owner=o.decl.owner, base=o.base,
                  severity="error" if o.severity.value == "error" else "warning",
                  reasons=[ReasonOut(code=r.code, detail=r.detail) for r in o.reasons],
                  usedBy=list(o.used_by))
        for o in report.orphans]))


def history(report: HistoryReport) -> str:
    return dump(HistoryOut(artifact=report.artifact, events=[EventOut(
        id=e.node, version=e.version, change=e.change, previous=e.previous,
        classes=list(e.classes), fields=list(e.fields), commit=e.commit.sha, day=e.commit.day,
        author=e.commit.author, subject=e.commit.subject) for e in report.events]))


def completeness(review: Review) -> str:
    from ..bom_score import field_lists

    lists = field_lists()
    return dump(CompletenessOut(
        owasp=None if review.owasp is None else round(review.owasp, 1),
        cyclonedx=review.cyclonedx,
        sources=[FieldListOut(title=lists[k]["title"], source=lists[k]["source"],
                              license=lists[k]["license"]) for k in ("owasp", "cyclonedx")],
        components=[ScoredOut(
            id=c.node, owasp=None if c.owasp is None else round(c.owasp, 1),
            expected=c.expected, present=c.present,
            missing=[MissingOut(source=m.source, field=m.field, key=m.key)
                     for m in c.missing]) for c in review.components]))
