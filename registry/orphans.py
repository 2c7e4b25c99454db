"""Orphaned adapters: fine-tunes whose base model is going, whose owner is gone, whose
training data is gone, or that nobody uses. Every reason that holds is listed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import kinds
from .catalog import Catalog
from .decl import Decl
from .findings import Finding, Severity, finding
from .lifecycle import Lifecycle, when
from .refs import NodeId, Ref

# In the order reasons are listed.
REASONS = ("base-retired", "base-retiring", "base-deprecated", "base-missing", "owner-unknown",
           "owner-inactive", "data-missing", "data-expired", "data-unsourced", "unused")


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code} ({self.detail})"


@dataclass(frozen=True)
class Orphan:
    decl: Decl
    reasons: tuple[Reason, ...]
    base: NodeId | None
    used_by: tuple[NodeId, ...]
    # Whether the base's retirement day may fail CI: a firm one, or any under
    # policy.estimatedDates `error` (an estimated day never does by default).
    firm: bool = True

    @property
    def severity(self) -> Severity:
        retired = any(r.code == "base-retired" for r in self.reasons)
        return Severity.ERROR if retired and self.firm else Severity.WARNING


_OWNER_REASONS = {
    "missing": ("owner-unknown", "no owner"),
    "unknown-team": ("owner-unknown", "{owner} is not a declared team"),
    "unknown-user": ("owner-unknown", "{owner} is in no team"),
    "inactive-team": ("owner-inactive", "{owner} is inactive"),
    "inactive-user": ("owner-inactive", "{owner} is only in inactive teams"),
}


def _owner_reasons(catalog: Catalog, owner: str | None) -> list[Reason]:
    reason = _OWNER_REASONS.get(catalog.owner_status(owner))
    return [Reason(reason[0], reason[1].format(owner=owner))] if reason else []


def _base_reasons(catalog: Catalog, life: Lifecycle, spec: kinds.AdapterSpec
                  ) -> tuple[list[Reason], NodeId | None]:
    base = catalog.resolve(Ref.parse(spec.baseModel))
    if base is None or base.kind != "Model":
        return [Reason("base-missing", _missing(catalog, spec.baseModel, "a model"))], None
    sunset = life.sunsets.get(base.id)
    if sunset is not None and (sunset.date_kind == "firm" or life.estimated_dates != "ignore"):
        left = sunset.days_left(life.today)
        if sunset.date_kind == "not-before":  # a floor, not a deadline: never "retired"
            if left <= life.window:
                since = "since" if left < 0 else "from"
                return [Reason("base-retiring", f"{base.id} may retire any day {since} "
                               f"{sunset.day} ({when(left)}; no firm day is known)")], base.id
        elif left < 0:
            return [Reason("base-retired", f"{base.id} retired on {sunset.day}")], base.id
        if left <= life.window:
            return [Reason("base-retiring",
                           f"{base.id} retires on {sunset.day}, {when(left)}")], base.id
    if base.model.metadata.deprecation is not None:
        return [Reason("base-deprecated", f"{base.id} is deprecated")], base.id
    return [], base.id


def _data_reasons(catalog: Catalog, life: Lifecycle, spec: kinds.AdapterSpec) -> list[Reason]:
    out: list[Reason] = []
    for text in spec.datasets:
        data = catalog.resolve(Ref.parse(text))
        if data is None or not isinstance(data.model, kinds.Dataset):
            out.append(Reason("data-missing", _missing(catalog, text, "a dataset")))
            continue
        dspec = data.model.spec
        if dspec.retention is not None and dspec.retention.until < life.today:
            out.append(Reason("data-expired",
                              f"{data.id} retention ended on {dspec.retention.until}"))
        source = dspec.source
        missing = [part for part, value in (("source uri", source and source.uri),
                                            ("source digest", source and source.digest))
                   if not value]
        if missing:
            out.append(Reason("data-unsourced", f"{data.id} has no {' or '.join(missing)}, "
                              "so the adapter cannot be rebuilt"))
    return out


def _missing(catalog: Catalog, text: str, what: str) -> str:
    """Why a ref finds nothing: undeclared, no version in range, or the wrong kind."""
    ref = Ref.parse(text)
    if ref.kind != {"a model": "model", "a dataset": "dataset"}[what]:
        return f"{text} is not {what}"
    versions = [d.version for d in catalog.by_key.get(ref.key, []) if d.version]
    if versions:
        return f"{text} matches no declared version ({', '.join(versions)})"
    return f"{text} is not declared"


@dataclass(frozen=True)
class OrphanReport:
    """`aireg orphans`: every orphaned adapter as of `today`."""

    orphans: tuple[Orphan, ...]
    today: dt.date


def report(catalog: Catalog, life: Lifecycle) -> OrphanReport:
    return OrphanReport(tuple(find(catalog, life)), life.today)


def find(catalog: Catalog, life: Lifecycle) -> list[Orphan]:
    orphans: list[Orphan] = []
    for decl in sorted(catalog.of_kind("Adapter"), key=lambda d: d.id):
        assert isinstance(decl.model, kinds.Adapter)
        spec = decl.model.spec
        base_reasons, base = _base_reasons(catalog, life, spec)
        users = tuple(life.graph.users(decl.id))
        reasons = [*base_reasons, *_owner_reasons(catalog, decl.owner),
                   *_data_reasons(catalog, life, spec)]
        if not users:
            reasons.append(Reason("unused", "nothing uses it"))
        if reasons:
            reasons.sort(key=lambda r: REASONS.index(r.code))
            sunset = life.sunsets.get(base) if base is not None else None
            firm = (sunset is None or sunset.date_kind == "firm"
                    or life.estimated_dates == "error")
            orphans.append(Orphan(decl, tuple(reasons), base, users, firm))
    return orphans


def findings(orphans: list[Orphan]) -> list[Finding]:
    out: list[Finding] = []
    for orphan in orphans:
        listed = "; ".join(str(r) for r in orphan.reasons)
        item = finding("orphan-adapter", f"{orphan.decl.id} is orphaned: {listed}",
                       orphan.decl.at("metadata", "name"), subject=orphan.decl.id)
        out.append(item.with_severity(orphan.severity))
    return out
