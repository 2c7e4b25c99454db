"""Deadlines that flow through the graph: sunsets (declared, or from the known-retirements
data), the rules that report them at each direct user, and the `deprecations` report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import kinds
from .catalog import Catalog
from .decl import Decl
from .findings import Finding, Severity, finding
from .graph import DepGraph
from .impact import contacts
from .indexes import rebuild_actions
from .refs import NodeId
from .render import plural
from .retirements import Retirement, Retirements


@dataclass(frozen=True)
class Sunset:
    """The day after which nothing may depend on a node, and where that day came from."""

    node: NodeId
    day: dt.date
    source: str  # "declared in metadata.deprecation" or the retirement data's description
    declared: bool
    replacement: str | None
    reason: str | None
    date_kind: str = "firm"
    # `sunset` (nothing may depend on it after the day) or `retention` (a dataset's data
    # may be purged after the day); only `deprecations` lists retention days.
    deadline: str = "sunset"

    def days_left(self, today: dt.date) -> int:
        return (self.day - today).days


@dataclass(frozen=True)
class Deadline:
    """One row of `aireg deprecations`."""

    sunset: Sunset
    decl: Decl
    days_left: int
    features: tuple[NodeId, ...]
    owners: tuple[tuple[str, tuple[str, ...]], ...]  # (owner, contacts)
    # What the day makes someone do: `rebuild index/x@1.0.0 before <day>` for the indexes
    # a retiring embedding model embedded.
    actions: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return "passed" if self.days_left < 0 else "upcoming"


@dataclass(frozen=True)
class DeadlineReport:
    """`aireg deprecations`: the deadlines, sorted by day, as of `today`."""

    rows: tuple[Deadline, ...]
    today: dt.date
    window: int  # policy.deprecationWindowDays


class Lifecycle:
    """Sunsets of every node, and the findings they cause, as of one day."""

    def __init__(self, catalog: Catalog, graph: DepGraph, retirements: Retirements,
                 today: dt.date) -> None:
        self.catalog = catalog
        self.graph = graph
        self.today = today
        self.window = catalog.config.spec.policy.deprecationWindowDays
        self.estimated_dates = catalog.config.spec.policy.estimatedDates
        self.sunsets: dict[NodeId, Sunset] = {}
        self.deprecated: set[NodeId] = set()  # deprecated with no sunset day anywhere
        self.records: dict[NodeId, Retirement] = {}  # Model pins with a known retirement
        self.unknown: list[Decl] = []  # API-hosted Model pins that no record covers
        for decl in catalog.decls():
            record = _record_of(decl, retirements)
            if record is not None:
                self.records[decl.id] = record
            sunset = _sunset_of(decl, record)
            if sunset is not None:
                self.sunsets[decl.id] = sunset
            elif decl.model.metadata.deprecation is not None:
                self.deprecated.add(decl.id)
            # provider self-hosted says where it runs, whatever `hosting` is left at.
            if (record is None and isinstance(decl.model, kinds.Model) and sunset is None
                    and decl.model.spec.hosting == "api"
                    and decl.model.spec.provider != "self-hosted"):
                self.unknown.append(decl)

    def passed(self, node: NodeId) -> bool:
        sunset = self.sunsets.get(node)
        return sunset is not None and sunset.days_left(self.today) < 0

    def soon(self, node: NodeId) -> bool:
        sunset = self.sunsets.get(node)
        return sunset is not None and 0 <= sunset.days_left(self.today) <= self.window

    def features_reaching(self, node: NodeId) -> list[NodeId]:
        """The features that reach `node`, and `node` itself when it is a feature."""
        reached = [node, *self.graph.dependents([node])]
        return sorted(n for n in reached if self.catalog.by_id[n].kind == "Feature")

    def retirement(self, decl: Decl) -> str | None:
        """For a Model: its known retirement as one line, or that there is no data."""
        if not isinstance(decl.model, kinds.Model):
            return None
        record = self.records.get(decl.id)
        if record is None:
            return "no retirement data"
        text = f"{record.sunset} ({record.describe()})"
        return text + (f"; replacement {record.replacement}" if record.replacement else "")

    def _ceiling(self, sunset: Sunset) -> Severity | None:
        # policy.estimatedDates: a day that is not firm fails CI only when asked to. A
        # not-before day is a floor the provider promised, not a deadline: once it passes the
        # model may still run for years, so it is one level lower (never crying wolf).
        if sunset.date_kind == "firm":
            return None
        if sunset.date_kind == "not-before":
            return Severity.WARNING if self.estimated_dates == "error" else Severity.INFO
        return None if self.estimated_dates == "error" else Severity.WARNING

    def unknown_findings(self) -> list[Finding]:
        """lifecycle-unknown: say which API pins the data is silent about."""
        out: list[Finding] = []
        for decl in sorted(self.unknown, key=lambda d: d.id):
            assert isinstance(decl.model, kinds.Model)
            spec = decl.model.spec
            out.append(finding(
                "lifecycle-unknown",
                f"{decl.id}: no known retirement for {spec.provider} `{spec.modelId}`, so no "
                "deadline can be reported; check the provider's deprecations page and set "
                "metadata.deprecation.sunset, or add a record with `aireg retirements update`",
                decl.at("spec", "modelId"), subject=decl.id, field="spec.modelId",
                value=spec.modelId))
        return out

    def findings(self) -> list[Finding]:
        out: list[Finding] = self.unknown_findings()
        hit: dict[NodeId, list[NodeId]] = {}  # a user of several retiring nodes: search once
        for node in sorted(set(self.sunsets) | self.deprecated):
            # A revocation names the data it withdraws from, retired or not: it does not
            # depend on that data.
            users = [u for u in self.graph.users(node)
                     if self.catalog.by_id[u].kind != "Revocation"]
            if not users:
                continue
            if node in self.deprecated:
                for user in users:
                    edge = self.graph.edge(user, node)
                    reason = self.catalog.by_id[node].model.metadata.deprecation
                    replacement = reason.replacement if reason else None
                    out.append(finding(
                        "deprecated-dependency",
                        f"{user} uses {node}, which is deprecated (no sunset day yet)"
                        + (f"; move to {replacement}" if replacement else ""), edge.at))
                continue
            sunset = self.sunsets[node]
            left = sunset.days_left(self.today)
            if left >= 0 and left > self.window:
                continue
            if sunset.date_kind != "firm" and self.estimated_dates == "ignore":
                continue
            ceiling = self._ceiling(sunset)
            move = f"; move to {sunset.replacement}" if sunset.replacement else ""
            for user in users:
                edge = self.graph.edge(user, node)
                # The features this finding's ref serves: those that reach its declaration,
                # not every feature that reaches the retiring node through other users.
                features = hit.get(user)
                if features is None:
                    features = hit[user] = self.features_reaching(user)
                reach = (f"; features hit through this ref: {', '.join(features)}" if features
                         else "; no feature is hit through this ref")
                if sunset.date_kind == "not-before":
                    since = "since" if left < 0 else "from"
                    item = finding(
                        "sunset-passed" if left < 0 else "sunset-soon",
                        f"{user} uses {node}, which may be retired any day {since} "
                        f"{sunset.day} ({when(left)}): the provider promised no retirement "
                        f"before that day and no firm day is known ({sunset.source}); watch "
                        f"for its notice{move}{reach}", edge.at)
                elif left < 0:
                    item = finding(
                        "sunset-passed",
                        f"{user} uses {node}, whose sunset day {sunset.day} has passed "
                        f"({when(left)}; {sunset.source}){move}{reach}", edge.at)
                else:
                    item = finding(
                        "sunset-soon",
                        f"{user} uses {node}, whose sunset day {sunset.day} is {when(left)} "
                        f"({sunset.source}){move}{reach}", edge.at)
                out.append(replace(item, ceiling=ceiling))
        return out

    def deadline_hit(self, rows: Sequence[Deadline], fail_on: str) -> bool:
        """Whether `deprecations --fail-on passed|soon` fails: a passed day, or (soon) a day
        passed or within the window. A day that is not firm counts as policy caps it: under
        estimatedDates `warning` a passed one is only soon, under `ignore` it never counts."""
        for row in rows:
            sunset = row.sunset
            if row.days_left > self.window:
                continue
            passed = row.days_left < 0
            if sunset.date_kind != "firm" and self.estimated_dates != "error":
                if self.estimated_dates == "ignore":
                    continue
                passed = False
            if passed or fail_on == "soon":
                return True
        return False

    def retention_days(self) -> dict[NodeId, Sunset]:
        """Datasets' retention days, as deadlines: after the day the data may be purged."""
        out: dict[NodeId, Sunset] = {}
        for decl in self.catalog.of_kind("Dataset"):
            assert isinstance(decl.model, kinds.Dataset)
            retention = decl.model.spec.retention
            if retention is not None:
                out[decl.id] = Sunset(decl.id, retention.until,
                                      "retention declared in spec.retention.until", True,
                                      None, None, deadline="retention")
        return out

    def report(self, within: int | None = None) -> DeadlineReport:
        """The deadlines at most `within` days away (passed ones included), as a report."""
        return DeadlineReport(tuple(self.deadlines(within)), self.today, self.window)

    def deadlines(self, within: int | None = None) -> list[Deadline]:
        rows: list[Deadline] = []
        days = [*self.sunsets.items(), *self.retention_days().items()]
        for node, sunset in days:
            left = sunset.days_left(self.today)
            if within is not None and left > within:
                continue
            reached = self.graph.dependents([node])
            features = tuple(sorted(n for n in reached
                                    if self.catalog.by_id[n].kind == "Feature"))
            owners: dict[str, tuple[str, ...]] = {}
            for other in [node, *reached]:
                owner = self.catalog.by_id[other].owner
                # An environment runs what others own: its owner is not the one to tell.
                if owner is not None and self.catalog.by_id[other].kind != "Environment":
                    owners[owner] = contacts(self.catalog, owner)
            actions = (rebuild_actions(self.graph, node, sunset.day.isoformat())
                       if sunset.deadline == "sunset" else ())
            rows.append(Deadline(sunset, self.catalog.by_id[node], left, features,
                                 tuple(sorted(owners.items())), actions))
        return sorted(rows, key=lambda r: (r.sunset.day, r.sunset.node, r.sunset.deadline))


def when(left: int) -> str:
    """`today`, `in 3 days`, `1 day ago`: how far a day is from today."""
    if left == 0:
        return "today"
    return f"in {plural(left, 'day')}" if left > 0 else f"{plural(-left, 'day')} ago"


def _record_of(decl: Decl, retirements: Retirements) -> Retirement | None:
    if not isinstance(decl.model, kinds.Model):
        return None
    spec = decl.model.spec
    return retirements.lookup(spec.provider, spec.modelId, spec.revision)


def _sunset_of(decl: Decl, record: Retirement | None) -> Sunset | None:
    deprecation = decl.model.metadata.deprecation
    if deprecation is not None and deprecation.sunset is not None:
        return Sunset(decl.id, deprecation.sunset, "firm day declared in metadata.deprecation",
                      True, deprecation.replacement, deprecation.reason)
    if record is not None:
        replacement = deprecation.replacement if deprecation else None
        return Sunset(decl.id, record.sunset, "known retirements data: " + record.describe(),
                      False, replacement or record.replacement,
                      deprecation.reason if deprecation else None, record.date_kind)
    return None
