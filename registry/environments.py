"""Environments: what should run where (desired), what does (observed), and the rules on both.

Desired state is an Environment's `deploys` resolved at the revision read, expanded along the
edges that run with a feature (uses, includes, model, tool, base-model, ...; not the data an
adapter was trained on). A ref in `deploys` to an artifact pins that artifact's version in the
environment wherever the expansion meets it.

Observed state is the JSON file the CD system writes back (`spec.observed`), read from the
same revision as the declarations: `observedAt`, the commit deployed, and what runs, each with
its content digest (registry.digest) and share of traffic. Its git history tells since when a
partial share has stood still (rollout-stalled) and what ran when (`history --env`).
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from . import kinds
from .decl import Decl
from .digest import Digests
from .files import display_path, escapes
from .findings import About, Finding, Severity, Span, SpanOrPointer, finding
from .jsonpos import JsonProblem, Positioned, parse
from .refs import KIND_TO_REF, NodeId, Ref, RefSyntaxError, parse_version
from .yamlio import MAX_FILE_BYTES

if TYPE_CHECKING:
    from .catalog import Catalog
    from .graph import DepGraph
    from .load import Loaded
    from .root import RegistryRoot as Place

STAGES = ("development", "staging", "production")
# Edges along which nothing runs: what an artifact was built or tested from, what covers it.
NOT_RUN = frozenset({"trained-on", "tested-on", "derived-from", "built-from", "revokes",
                     "covers", "uses-data"})
# Kinds that are containers of what runs, not rows of the matrix.
NOT_ROWS = frozenset({"Feature", "Environment", "Team", "Eval"})
FULL = 1.0


# --- the observed-state file format ---------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunningEntry(_Strict):
    ref: Annotated[str, Strict()] = Field(
        description="What runs: kind/name@version (prompt/house-style@3.1.0), or kind/name "
                    "with `version` beside it.")
    version: Annotated[str, Strict()] | None = Field(
        None, description="The version, when `ref` does not carry it.")
    digest: Annotated[str, Strict()] = Field(
        pattern=kinds.DIGEST_PATTERN,
        description="The content digest the service loaded (`aireg digest REF`).")
    share: Annotated[float, Field(gt=0, le=1)] = Field(
        FULL, description="The share of traffic it serves, above 0 and at most 1 (default 1: "
                          "all of it); below 1 is a partial rollout.")


class ObservedState(_Strict):
    """The observed-state file a CD system writes back into the repository."""

    observedAt: Annotated[str, Strict()] = Field(
        json_schema_extra={"format": "date-time"},
        description="When the state was observed, RFC 3339 with a time zone.")
    commit: Annotated[str, Strict()] = Field(
        pattern=r"^[0-9a-f]{7,64}$", description="The registry commit the CD system deployed.")
    running: list[RunningEntry] = Field(description="What runs in the environment now.")


@dataclass(frozen=True)
class Running:
    """One observed entry, mapped to the declaration it runs (None when none has it)."""

    key: tuple[str, str]  # (declaration kind, name)
    artifact: str  # kind/name as refs write it
    version: str | None
    digest: str
    share: float
    node: NodeId | None  # the declared version it maps to
    at: Span


@dataclass
class State:
    path: str  # from the repository root
    observed_at: dt.datetime
    commit: str
    running: list[Running]
    text: Positioned

    def span(self, *keys: str | int) -> Span:
        line, column = self.text.position(keys)
        return Span(self.path, line, column)


@dataclass(frozen=True)
class EnvInfo:
    decl: Decl
    stage: str
    regions: tuple[str, ...]
    max_skew: int | None  # seconds
    state_path: str | None  # from the repository root
    state: State | None

    @property
    def name(self) -> str:
        return self.decl.name


@dataclass(frozen=True)
class Observed:
    version: str | None
    share: float
    digest: str


@dataclass(frozen=True)
class Cell:
    env: str
    desired: tuple[str | None, ...]  # versions (None: an unversioned artifact)
    observed: tuple[Observed, ...] | None  # None: the environment reports no state
    drift: bool
    skew: bool


@dataclass(frozen=True)
class Row:
    artifact: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class StatusReport:
    environments: tuple[EnvInfo, ...]
    rows: tuple[Row, ...]
    findings: tuple[Finding, ...]
    now: dt.datetime


def stage_key(env: EnvInfo) -> tuple[int, str]:
    return (STAGES.index(env.stage), env.name)


def parse_time(text: str) -> dt.datetime | None:
    """An RFC 3339 date-time with a zone, in UTC; None when it is not one."""
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None or "T" not in text.upper():
        return None
    return when.astimezone(dt.UTC)


def when_text(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def span_text(seconds: float) -> str:
    """`6h`, `45m`, `2d 3h`: a duration for people."""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"


# --- reading ----------------------------------------------------------------------------------


class Environments:
    """The environments of one registry at one revision, their desired and observed state."""

    def __init__(self, catalog: Catalog, graph: DepGraph, location: Place,
                 clock: dt.datetime | None) -> None:
        """`clock` is the time to judge by (--now); None: the real time."""
        self.catalog = catalog
        self.graph = graph
        self.loaded: Loaded = catalog.loaded
        self.location = location
        self.clock = clock
        self.digests = Digests(self.catalog)
        self.problems: list[Finding] = []
        self._timelines: dict[str, list[State]] = {}
        self._desired: dict[str, dict[tuple[str, str], set[Decl]]] = {}
        self._reached: dict[str, frozenset[NodeId]] = {}  # every node desired, features too
        self.envs = sorted((self._info(d) for d in self.catalog.of_kind("Environment")),
                           key=stage_key)

    @functools.cached_property
    def now(self) -> dt.datetime:
        """The clock the rules judge by: --now (or --today), else the real time, which
        keeps the result cache from replaying an answer made at another time."""
        if self.clock is not None:
            return self.clock
        from . import files

        files.note("clock", "now", None)
        return dt.datetime.now(dt.UTC).replace(microsecond=0)

    def named(self, name: str) -> EnvInfo | None:
        return next((e for e in self.envs if e.name == name), None)

    def _info(self, decl: Decl) -> EnvInfo:
        model = decl.model
        assert isinstance(model, kinds.Environment)
        spec = model.spec
        skew = kinds.duration_seconds(spec.maxSkew) if spec.maxSkew else None
        path = state = None
        if spec.observed is not None:
            rel = self._state_rel(decl, spec.observed)
            if rel is not None:
                path = display_path(self.loaded.tree, rel)
                state = self._read_state(decl, rel)
        return EnvInfo(decl, spec.stage, tuple(spec.regions), skew, path, state)

    def _state_rel(self, decl: Decl, written: str) -> str | None:
        at = decl.at("spec", "observed")
        rel = posixpath.normpath(written)
        tree = self.loaded.tree
        if escapes(rel) or not tree.link_stays_inside(rel):
            self.problems.append(finding(
                "path-escape", f"observed-state file `{written}` is outside the registry; keep "
                "it inside the registry root (paths are relative to it)", at,
                subject=decl.id, field="spec.observed", value=written))
            return None
        return rel

    def _read_state(self, decl: Decl, rel: str) -> State | None:
        tree = self.loaded.tree
        path = display_path(tree, rel)
        about: About = {"subject": decl.id, "field": "spec.observed", "value": path}
        if tree.size(rel) > MAX_FILE_BYTES:
            self.problems.append(finding(
                "state-file", f"observed-state file {path} is larger than "
                f"{MAX_FILE_BYTES // 2**20} MiB; it is not a state file", decl.at(
                    "spec", "observed"), **about))
            return None
        try:
            data = tree.read(rel)
        except OSError as error:
            data, why = None, f"cannot be read ({error.strerror})"
        else:
            where = f" at {tree.commit[:12]}" if tree.commit else ""
            why = f"does not exist{where}"
        if data is None:
            self.problems.append(finding(
                "state-file", f"observed-state file {path} {why}; the CD system writes it "
                "after each deploy (remove spec.observed if it never will)",
                decl.at("spec", "observed"), **about))
            return None
        return self.state_from(decl, path, data, self.problems)

    def state_from(self, decl: Decl, path: str, data: bytes,
                   problems: list[Finding]) -> State | None:
        """A state file's content checked and mapped to declarations; each problem is a
        finding at its place in the file."""
        about: About = {"subject": decl.id, "field": "spec.observed", "value": path}
        try:
            text = data.decode("utf-8")
            positioned = parse(text)
        except UnicodeDecodeError as error:
            problems.append(finding("state-file", f"observed-state file is not UTF-8 (byte "
                                    f"{error.start + 1}); write it as UTF-8 JSON",
                                    Span(path), **about))
            return None
        except JsonProblem as error:
            problems.append(finding("state-file", f"{error.message}; the CD system must "
                                    "write JSON (schemas/observed-state.schema.json)",
                                    Span(path, error.line, error.column), **about))
            return None
        try:
            model = ObservedState.model_validate(positioned.value)
        except ValidationError as error:
            for item in error.errors():
                keys = tuple(item["loc"])
                line, column = positioned.position(keys, item["type"] == "extra_forbidden")
                problems.append(finding(
                    "state-file", f"{_problem(item)} (schemas/observed-state.schema.json)",
                    Span(path, line, column), **about))
            return None
        state = State(path, dt.datetime.min.replace(tzinfo=dt.UTC), model.commit, [],
                      positioned)
        when = parse_time(model.observedAt)
        if when is None:
            problems.append(finding(
                "state-file", f"observedAt `{model.observedAt}` is not an RFC 3339 date-time "
                "with a zone; write it such as 2026-01-05T14:30:00Z", state.span("observedAt"),
                **about))
            return None
        state.observed_at = when
        for index, entry in enumerate(model.running):
            running = self._running(decl, state, index, entry, problems)
            if running is not None:
                state.running.append(running)
        return state

    def _running(self, env: Decl, state: State, index: int, entry: RunningEntry,
                 problems: list[Finding]) -> Running | None:
        at = state.span("running", index, "ref")
        about: About = {"subject": env.id, "field": "running", "value": entry.ref}
        try:
            ref = Ref.parse(entry.ref)
        except RefSyntaxError as error:
            problems.append(finding("state-file", str(error), at, **about))
            return None
        version = entry.version
        if ref.constraint is not None:
            if version is not None and version != ref.constraint:
                problems.append(finding(
                    "state-file", f"`{entry.ref}` and version `{version}` disagree; give the "
                    "version once", state.span("running", index, "version"), **about))
                return None
            version = ref.constraint
        if version is not None:
            try:
                parse_version(version)
            except ValueError as error:
                problems.append(finding("state-file", f"`{entry.ref}`: {error}", at, **about))
                return None
        artifact = f"{ref.kind}/{ref.name}"
        declared = self.catalog.by_key.get(ref.key, [])
        if not ref.decl_kind or ref.kind in ("team", "env"):
            problems.append(finding(
                "state-file", f"`{entry.ref}` is not something that runs; list prompts, "
                "models, adapters, datasets, MCP servers or features", at, **about))
            return None
        digest_at = state.span("running", index, "digest")
        if not declared:
            problems.append(finding(
                "undeclared-running", f"{artifact} runs in {env.name} but no declaration has "
                f"it{self.catalog._similar(ref)}; declare it, or fix the ref the CD system "
                "reports", at, **about))
            return Running(ref.key, artifact, version, entry.digest, entry.share, None, at)
        by_digest = [d for d in declared if self.digests.of(d) == entry.digest]
        node: NodeId | None = None
        if version is not None:
            named = next((d for d in declared if d.version == version), None)
            if named is None and _succeeded(version, declared):
                pass  # bumped since it was deployed: the new version waits (drift says so)
            elif named is None:
                versions = ", ".join(d.version or "(unversioned)" for d in declared)
                problems.append(finding(
                    "undeclared-running", f"{artifact} {version} runs in {env.name} but is not "
                    f"declared (declared: {versions}); declare it, or roll the environment "
                    "to a declared version", at, **about))
            elif named not in by_digest:
                matches = (f"it is the content of {', '.join(d.id for d in by_digest)}"
                           if by_digest else "no declared version has it")
                # The version is declared, but its content now digests otherwise: what it
                # includes or uses resolves elsewhere, or it was edited in place (which
                # version-not-bumped reports in a pull request). Redeploying settles it.
                problems.append(finding(
                    "drift", f"{env.name} runs {named.id} with digest "
                    f"{_short(entry.digest)}, but that version is now "
                    f"{_short(self.digests.of(named))} ({matches}): what it includes or uses "
                    "resolves elsewhere, or it was edited in place; redeploy it", digest_at,
                    **about))
                node = named.id
            else:
                node = named.id
        elif by_digest:
            node = by_digest[-1].id
            version = by_digest[-1].version
        else:
            problems.append(finding(
                "undeclared-running", f"digest {_short(entry.digest)} running in {env.name} "
                f"matches no declared version of {artifact}; the service loaded content no "
                "declaration has: declare it, or redeploy a declared version", digest_at,
                **about))
        return Running(ref.key, artifact, version, entry.digest, entry.share, node, at)

    # --- desired state ----------------------------------------------------------------------

    def desired(self, env: EnvInfo) -> dict[tuple[str, str], set[Decl]]:
        """What the environment's deploys resolve to, by artifact (several versions when two
        features resolve one artifact differently)."""
        memo = self._desired.get(env.name)
        if memo is None:
            memo = self._desired[env.name] = self._resolve_desired(env)
        return memo

    def _resolve_desired(self, env: EnvInfo) -> dict[tuple[str, str], set[Decl]]:
        catalog, graph = self.catalog, self.graph
        pins: dict[tuple[str, str], Decl] = {}
        starts: list[Decl] = []
        for site in catalog.ref_sites(env.decl):
            target = catalog.resolve(site.ref)
            if target is None:
                continue  # a dangling or unsatisfied ref: check reports it
            starts.append(target)
            if target.kind != "Feature":
                pins[(target.kind, target.name)] = target
        seen: dict[NodeId, Decl] = {}
        todo = [pins.get((d.kind, d.name), d) for d in starts]
        while todo:
            decl = todo.pop()
            if decl.id in seen:
                continue
            seen[decl.id] = decl
            for used_id in graph.uses(decl.id):
                if graph.label(decl.id, used_id) in NOT_RUN:
                    continue
                used = catalog.by_id[used_id]
                todo.append(pins.get((used.kind, used.name), used))
        self._reached[env.name] = frozenset({env.decl.id, *seen})
        out: dict[tuple[str, str], set[Decl]] = defaultdict(set)
        for decl in seen.values():
            if decl.kind not in NOT_ROWS:
                out[(decl.kind, decl.name)].add(decl)
        return out

    def running_node(self, env: EnvInfo, node: NodeId) -> bool:
        """Whether the environment's desired state holds this node (a feature too)."""
        self.desired(env)
        return node in self._reached[env.name]

    # --- the matrix -------------------------------------------------------------------------

    def status(self, only: str | None = None) -> StatusReport:
        found = self.findings()
        envs = [e for e in self.envs if only is None or e.name == only]
        desired = {e.name: self.desired(e) for e in envs}
        observed = {e.name: _observed(e) for e in envs}
        keys = sorted({k for d in desired.values() for k in d} |
                      {k for o in observed.values() if o is not None for k in o})
        skewed = self._skewed(self.envs)
        rows = []
        for key in keys:
            cells = []
            for env in envs:
                want = tuple(sorted((d.version for d in desired[env.name].get(key, set())),
                                    key=_version_order))
                seen = observed[env.name]
                runs = None if seen is None else tuple(
                    Observed(r.version, r.share, r.digest) for r in seen.get(key, []))
                drift = runs is not None and _versions(runs) != set(want)
                cells.append(Cell(env.name, want, runs, drift, (env.name, key) in skewed))
            rows.append(Row(f"{KIND_TO_REF[key[0]]}/{key[1]}", tuple(cells)))
        return StatusReport(tuple(envs), tuple(rows), tuple(
            f for f in found if only is None or f.subject == self._env_id(only)), self.now)

    def _env_id(self, name: str) -> str | None:
        env = self.named(name)
        return env.decl.id if env else None

    def _skewed(self, envs: list[EnvInfo]) -> dict[tuple[str, tuple[str, str]], str]:
        """(environment, artifact) -> stage, for each artifact that environments of one stage
        run in different versions."""
        out: dict[tuple[str, tuple[str, str]], str] = {}
        for stage, group in self._stages(envs).items():
            for key, by_env in _by_artifact(group).items():
                if len({frozenset(v) for v in by_env.values()}) > 1:
                    for name in by_env:
                        out[(name, key)] = stage
        return out

    @staticmethod
    def _stages(envs: list[EnvInfo]) -> dict[str, list[EnvInfo]]:
        stages: dict[str, list[EnvInfo]] = defaultdict(list)
        for env in envs:
            if env.state is not None:
                stages[env.stage].append(env)
        return stages

    # --- rules ------------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        """state-file problems, undeclared-running, drift, state-stale, version-skew and
        rollout-stalled, at the rules' default severities."""
        out = list(self.problems)
        limit = self.loaded.config.spec.policy.stateMaxAgeHours
        for env in self.envs:
            if env.state is None:
                continue
            out += self._drift(env)
            age = (self.now - env.state.observed_at).total_seconds()
            if age > limit * 3600:
                out.append(finding(
                    "state-stale", f"{env.name} was last observed at "
                    f"{when_text(env.state.observed_at)}, {span_text(age)} ago (more than "
                    f"policy.stateMaxAgeHours {limit}); check that the CD system still writes "
                    f"{env.state.path}", env.state.span("observedAt"), subject=env.decl.id,
                    field="observedAt"))
            out += self._stalled(env)
        out += self._skew()
        return out

    def _drift(self, env: EnvInfo) -> list[Finding]:
        assert env.state is not None
        out = []
        want = self.desired(env)
        runs = _observed(env) or {}
        for key in sorted(set(want) | set(runs)):
            wanted = sorted((d.version for d in want.get(key, set())), key=_version_order)
            running = runs.get(key, [])
            if _versions(running) == set(wanted):
                continue
            artifact = f"{KIND_TO_REF[key[0]]}/{key[1]}"
            have = _listing(running)
            if not wanted:
                message = (f"{env.name} runs {artifact} {have}, which its deploys do not "
                           "include at this revision; add it to spec.deploys, or remove it "
                           "from the environment")
            elif not running:
                message = (f"{env.name} should run {artifact} {_words(wanted)} but does not "
                           "run it; deploy it, or drop it from spec.deploys")
            else:
                message = (f"{env.name} runs {artifact} {have} but its deploys resolve to "
                           f"{_words(wanted)} at this revision; finish the deploy, or pin the "
                           "running version in spec.deploys")
            where = running[0].at if running else env.state.span("running")
            out.append(finding("drift", message, where, subject=env.decl.id, field="running",
                               value=artifact))
        return out

    def _skew(self) -> list[Finding]:
        out = []
        for stage, group in self._stages(self.envs).items():
            for key, by_env in sorted(_by_artifact(group).items()):
                if len({frozenset(v) for v in by_env.values()}) < 2:
                    continue
                envs = [e for e in group if e.name in by_env]
                since, known = self._skew_since(envs, key)
                lasted = (self.now - since).total_seconds()
                limits = [e.max_skew for e in envs if e.max_skew is not None]
                limit = min(limits) if limits else None
                artifact = f"{KIND_TO_REF[key[0]]}/{key[1]}"
                groups: dict[str, list[str]] = defaultdict(list)
                for env in envs:
                    groups[_words(sorted(by_env[env.name], key=_version_order))].append(env.name)
                parts = "; ".join(f"{versions} in {', '.join(names)}"
                                  for versions, names in sorted(
                                      groups.items(), key=lambda g: (-len(g[1]), g[0])))
                how_long = f" for {'' if known else 'at least '}{span_text(lasted)}"
                if limit is not None:
                    how_long += f" (maxSkew {span_text(limit)})"
                # At the environment that runs the lowest version: the one left behind.
                behind = min(envs, key=lambda e: (min(_version_order(v) for v in by_env[e.name]),
                                                  e.name))
                item = finding(
                    "version-skew", f"{stage} runs {artifact} in different versions{how_long}: "
                    f"{parts}; finish the rollout or roll back so that the stage agrees",
                    _first(behind, key), subject=behind.decl.id, field="running",
                    value=artifact)
                if limit is not None and lasted > limit:
                    item = item.with_severity(Severity.ERROR)
                out.append(item)
        return out

    def _skew_since(self, envs: list[EnvInfo], key: tuple[str, str]
                    ) -> tuple[dt.datetime, bool]:
        """When the stage began to disagree, and whether that is known: the first change
        after the last moment every environment ran the same versions, from the git history
        of their state files. With no such moment in the history, (the time by which every
        environment had been observed, False): the skew has lasted at least since then."""
        points: list[tuple[dt.datetime, str, frozenset[str | None]]] = []
        for env in envs:
            assert env.state is not None
            for state in [*self.timeline(env), env.state]:
                points.append((state.observed_at, env.name,
                               frozenset(r.version for r in state.running if r.key == key)))
        points.sort(key=lambda p: (p[0], p[1]))
        current: dict[str, frozenset[str | None]] = {}
        began: dt.datetime | None = None
        agreed = False
        for when, name, versions in points:
            current[name] = versions
            if len(current) < len(envs):
                continue
            if len(set(current.values())) == 1:
                agreed, began = True, None
            elif began is None:
                began = when
        # The last points are the states read now, which disagree.
        assert began is not None
        return began, agreed

    def _stalled(self, env: EnvInfo) -> list[Finding]:
        assert env.state is not None
        if env.max_skew is None:
            return []
        out = []
        partial: dict[tuple[str, str], list[Running]] = defaultdict(list)
        for item in env.state.running:
            if item.share < FULL and item.version is not None:
                partial[item.key].append(item)
        for runs in partial.values():
            # The rollout is of the highest version; the others serve the rest of the traffic.
            item = max(runs, key=lambda r: _version_order(r.version))
            since = self._unchanged_since(env, item.key, (item.version, item.share))
            lasted = (self.now - since).total_seconds() if since else 0
            if since is None or lasted <= env.max_skew:
                continue
            out.append(finding(
                "rollout-stalled", f"the rollout of {item.artifact} {item.version} in "
                f"{env.name} has stood at {_percent(item.share)} since {when_text(since)} "
                f"({span_text(lasted)}, maxSkew {span_text(env.max_skew)}); finish it or roll "
                "it back", item.at, subject=env.decl.id, field="running", value=item.artifact))
        return out

    # --- history ----------------------------------------------------------------------------

    def _unchanged_since(self, env: EnvInfo, key: tuple[str, str],
                         entry: tuple[str | None, float] | None) -> dt.datetime | None:
        """Since when the environment's state has run what it runs now of one artifact
        (with `entry`, that version at that share): the observedAt of the oldest state file
        version in the latest unbroken run, from git history when there is one."""
        assert env.state is not None
        current = _signature(env.state, key, entry)
        since = env.state.observed_at
        for state in reversed(self.timeline(env)):
            if _signature(state, key, entry) != current:
                break
            since = min(since, state.observed_at)
        return since

    def timeline(self, env: EnvInfo) -> list[State]:
        """The environment's state file at each commit that changed it, oldest first (the
        revision read last); [] outside git."""
        cached = self._timelines.get(env.name)
        if cached is not None:
            return cached
        states = [s for _, s in self.commits_of(env)]
        self._timelines[env.name] = states
        return states

    def commits_of(self, env: EnvInfo) -> list[tuple[Any, State]]:
        """(commit, state) for every commit up to the revision read that changed the state
        file, oldest first; a version that does not parse is left out."""
        location = self.location
        if location.toplevel is None or env.state_path is None:
            return []
        from .gitrepo import GitRepo

        repo = GitRepo(location.toplevel)
        rev = self.loaded.tree.commit
        if rev is None:
            rev = repo.head()
            if rev is None:
                return []
        out = []
        for commit in repo.log(rev, [env.state_path]):
            data = repo.file_at(commit.sha, env.state_path)
            if data is None:
                continue
            state = self.state_from(env.decl, env.state_path, data, [])
            if state is not None:
                out.append((commit, state))
        return out


# --- helpers ---------------------------------------------------------------------------------


def _problem(item: Any) -> str:
    keys = [str(k) for k in item["loc"]]
    where = ".".join(keys)
    if not keys:
        return "the file must be a JSON object with observedAt, commit and running"
    if item["type"] == "extra_forbidden":
        return f"unknown field `{keys[-1]}`; the fields are observedAt, commit, running " \
               "and, in running, ref, version, digest, share"
    if item["type"] == "missing":
        return f"missing field `{where}`"
    return f"`{where}`: {item['msg'][0].lower()}{item['msg'][1:]}"


def _succeeded(version: str, declared: list[Decl]) -> bool:
    """Whether a version no longer declared has a successor: a higher declared version of
    the same major (SPEC section 5 pairs them), as `aireg bump` in place leaves it."""
    running = parse_version(version)
    return any(d.version is not None and parse_version(d.version) > running
               and parse_version(d.version).major == running.major for d in declared)


def _short(digest: str) -> str:
    return digest[:19] + "…" if len(digest) > 19 else digest


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _version_order(version: str | None) -> tuple[int, Any]:
    return (0, None) if version is None else (1, parse_version(version))


def _versions(runs: list[Running] | tuple[Observed, ...]) -> set[str | None]:
    return {r.version for r in runs}


def _words(versions: list[str | None]) -> str:
    return ", ".join(v or "(unversioned)" for v in versions)


def _listing(runs: list[Running]) -> str:
    return ", ".join(f"{r.version or _short(r.digest)}"
                     + (f" ({_percent(r.share)})" if r.share < FULL else "") for r in runs)


def _observed(env: EnvInfo) -> dict[tuple[str, str], list[Running]] | None:
    if env.state is None:
        return None
    out: dict[tuple[str, str], list[Running]] = defaultdict(list)
    for item in env.state.running:
        out[item.key].append(item)
    return dict(out)


def _by_artifact(group: list[EnvInfo]) -> dict[tuple[str, str], dict[str, set[str | None]]]:
    out: dict[tuple[str, str], dict[str, set[str | None]]] = defaultdict(dict)
    for env in group:
        for key, runs in (_observed(env) or {}).items():
            out[key][env.name] = _versions(runs)
    return out


def _first(env: EnvInfo, key: tuple[str, str]) -> SpanOrPointer:
    runs = (_observed(env) or {}).get(key, [])
    if runs:
        return runs[0].at
    return env.decl.at("spec", "observed")


def _signature(state: State, key: tuple[str, str],
               entry: tuple[str | None, float] | None) -> Any:
    runs = [r for r in state.running if r.key == key]
    if entry is None:
        return frozenset(r.version for r in runs)
    return any((r.version, r.share) == entry for r in runs)


@dataclass(frozen=True)
class HistoryEvent:
    observed_at: dt.datetime
    commit: str  # the repository commit that wrote this state
    day: str
    deployed: str  # the registry commit the state says was deployed
    artifact: str
    change: str  # started | share | stopped
    version: str | None
    share: float
    before: float | None = None


@dataclass(frozen=True)
class EnvHistory:
    env: str
    path: str
    events: tuple[HistoryEvent, ...] = field(default_factory=tuple)


def history(envs: Environments, name: str, artifact: str | None = None) -> EnvHistory:
    """What ran in the environment and when, from the git history of its state file."""
    from .findings import RefArgumentError

    env = envs.named(name)
    if env is None:
        known = ", ".join(e.name for e in envs.envs) or "none"
        raise RefArgumentError(f"no Environment `{name}` is declared (environments: {known})")
    if env.state_path is None:
        raise RefArgumentError(f"env/{name} has no spec.observed state file, so it has no "
                               "history")
    events: list[HistoryEvent] = []
    before: dict[tuple[str, str | None], float] = {}
    for commit, state in envs.commits_of(env):
        now: dict[tuple[str, str | None], float] = {}
        for item in state.running:
            if artifact is None or item.artifact == artifact:
                now[(item.artifact, item.version)] = item.share
        stamp = (state.observed_at, commit.sha, commit.day, state.commit)
        for (name_, version), share in sorted(now.items(), key=_event_order):
            old = before.get((name_, version))
            if old is None:
                events.append(HistoryEvent(*stamp, name_, "started", version, share))
            elif old != share:
                events.append(HistoryEvent(*stamp, name_, "share", version, share, old))
        for (name_, version), share in sorted(before.items(), key=_event_order):
            if (name_, version) not in now:
                events.append(HistoryEvent(*stamp, name_, "stopped", version, 0.0, share))
        before = now
    return EnvHistory(name, env.state_path, tuple(events))


def _event_order(item: tuple[tuple[str, str | None], float]) -> tuple[str, tuple[int, Any]]:
    return (item[0][0], _version_order(item[0][1]))


def environments_running(envs: Environments, node: NodeId) -> tuple[str, ...]:
    """The environments whose desired state holds `node`, in stage order."""
    return tuple(e.name for e in envs.envs if envs.running_node(e, node))
