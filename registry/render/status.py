"""`aireg status` (text, JSON, Markdown) and `aireg history --env` (text, JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..environments import (
    FULL,
    Cell,
    EnvHistory,
    EnvInfo,
    HistoryEvent,
    StatusReport,
    span_text,
    when_text,
)
from . import finding_line, visible
from .fields import Out, version_field
from .json import FindingOut, _finding, dump
from .markdown import code, inline, table

LEGEND = ("drift: what runs differs from what the deploys resolve to; "
          "skew: environments of one stage run different versions")


# --- text and Markdown --------------------------------------------------------------------


def _version(version: str | None) -> str:
    return version if version is not None else "unversioned"


def _cell(cell: Cell) -> str:
    """`3.2.0`, `3.2.0 67% + 3.1.0 33%`, `- (want 3.2.0)`, `3.1.0 (want 3.2.0) [drift]`."""
    desired = ", ".join(_version(v) for v in cell.desired) or "none"
    if cell.observed is None:
        return f"{desired} (desired; no state)" if cell.desired else "-"
    shown = " + ".join(_version(o.version) + (f" {o.share * 100:.0f}%" if o.share < FULL else "")
                       for o in cell.observed) or "-"
    if cell.drift:
        shown += f" (want {desired})"
    flags = [name for name, on in (("drift", cell.drift), ("skew", cell.skew)) if on]
    return shown + "".join(f" [{flag}]" for flag in flags)


def _env_line(env: EnvInfo) -> list[str]:
    state = env.state
    seen = (f"observed {when_text(state.observed_at)} commit {state.commit[:12]}"
            if state is not None else "no observed state" if env.state_path is None
            else "state unreadable")
    skew = f"maxSkew {span_text(env.max_skew)}" if env.max_skew else "no maxSkew"
    return [env.name, env.stage, ",".join(env.regions) or "-", seen, skew]


def _columns(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                   + "\n" for row in rows)


def text(report: StatusReport) -> str:
    if not report.environments:
        return "No environments declared (kind: Environment).\n"
    out = [f"Environments at {when_text(report.now)}\n"]
    out.append(_columns([[visible(c) for c in _env_line(e)] for e in report.environments]))
    out.append("\n")
    if report.rows:
        head = ["artifact", *(e.name for e in report.environments)]
        body = [[r.artifact, *(_cell(c) for c in r.cells)] for r in report.rows]
        out.append(_columns([[visible(c) for c in row] for row in [head, *body]]))
        out.append(f"\n{LEGEND}\n")
    else:
        out.append("Nothing is deployed or observed.\n")
    if report.findings:
        out.append("\n" + "".join(finding_line(f) + "\n" for f in report.findings))
    return "".join(out)


def markdown(report: StatusReport) -> str:
    if not report.environments:
        return "No environments declared.\n"
    out = [f"## What runs where\n\nObserved state judged at {when_text(report.now)}.\n\n"]
    out.append(table(["Environment", "Stage", "Regions", "Observed", "maxSkew"],
                     [[code(e.name), e.stage, inline(", ".join(e.regions) or "-"),
                       inline(_env_line(e)[3]), _env_line(e)[4].removeprefix("maxSkew ")]
                      for e in report.environments]))
    if report.rows:
        out.append("\n" + table(
            ["Artifact", *(code(e.name) for e in report.environments)],
            [[code(r.artifact), *(_md_cell(c) for c in r.cells)] for r in report.rows]))
        out.append(f"\n{inline(LEGEND)}\n")
    if report.findings:
        out.append(f"\n### Findings ({len(report.findings)})\n\n" + "".join(
            f"- **{f.severity.value}** {code(f.rule, in_table=False)} "
            f"{code(str(f.span), in_table=False)}: {inline(f.message)}\n"
            for f in report.findings))
    return "".join(out)


def _md_cell(cell: Cell) -> str:
    shown = inline(_cell(cell).replace(" [drift]", "").replace(" [skew]", ""))
    return shown + (" **drift**" if cell.drift else "") + (" **skew**" if cell.skew else "")


# --- JSON ---------------------------------------------------------------------------------


class EnvironmentOut(Out):
    name: str = Field(description="the Environment's metadata.name")
    stage: Literal["development", "staging", "production"] = Field(
        description="its spec.stage")
    regions: list[str] = Field(description="its spec.regions")
    maxSkewSeconds: int | None = Field(description="its spec.maxSkew in seconds; null when "
                                       "it declares none")
    statePath: str | None = Field(description="the observed-state file, from the repository "
                                  "root; null when the environment declares none")
    observedAt: str | None = Field(description="RFC 3339, UTC; null when no state was read")
    commit: str | None = Field(description="the registry commit the state says is deployed")


class ObservedOut(Out):
    version: str | None = Field(description="the version that runs; null for an unversioned "
                                "artifact")
    share: float = Field(description="the share of traffic it serves, above 0 and at most 1")
    digest: str = Field(description="the content digest the service loaded (`aireg digest`)")


class CellOut(Out):
    environment: str = Field(description="the environment's name")
    desired: list[str | None] = Field(description="the versions the deploys resolve to "
                                      "(null for an unversioned artifact)")
    observed: list[ObservedOut] | None = Field(description="what the state file says runs; "
                                               "null when the environment has no state")
    drift: bool = Field(description="true when what runs differs from what the deploys "
                        "resolve to")
    skew: bool = Field(description="true when environments of this one's stage run "
                       "different versions of the artifact")


class ArtifactOut(Out):
    artifact: str = Field(description="kind/name, as refs write it")
    environments: list[CellOut] = Field(description="one per environment, in the order of "
                                        "the top-level `environments`")


class StatusOut(Out):
    version: Literal[1] = version_field(1)
    now: str = Field(description="the time the state was judged at (RFC 3339, UTC)")
    environments: list[EnvironmentOut] = Field(description="in stage order: development, "
                                               "staging, production, then by name")
    artifacts: list[ArtifactOut] = Field(description="every artifact deployed or observed, "
                                         "by kind and name")
    findings: list[FindingOut] = Field(description="the environment rules' findings (drift, "
                                       "version-skew, state-stale, ...)")


class EnvEventOut(Out):
    observedAt: str = Field(description="the state file's observedAt (RFC 3339, UTC)")
    commit: str = Field(description="the repository commit that wrote this state")
    day: str = Field(description="the author date of `commit`, YYYY-MM-DD")
    deployed: str = Field(description="the registry commit the state says was deployed")
    artifact: str = Field(description="kind/name, as refs write it")
    change: Literal["started", "share", "stopped"] = Field(
        description="started: it began to run; share: its share of traffic changed; stopped: "
        "it no longer runs")
    version: str | None = Field(description="its version; null for an unversioned artifact")
    share: float = Field(description="its share of traffic after this state, 0 when stopped")
    before: float | None = Field(description="the share before, for share and stopped")


class EnvHistoryOut(Out):
    version: Literal[1] = version_field(1)
    environment: str = Field(description="the Environment's name")
    statePath: str = Field(description="its observed-state file, from the repository root")
    events: list[EnvEventOut] = Field(description="every change of what ran, oldest first")


OUTPUTS: dict[str, type[Out]] = {"status": StatusOut, "history-env": EnvHistoryOut}


def json(report: StatusReport) -> str:
    return dump(StatusOut(
        now=when_text(report.now),
        environments=[EnvironmentOut(
            name=e.name, stage=e.stage, regions=list(e.regions),
            maxSkewSeconds=e.max_skew, statePath=e.state_path,
            observedAt=when_text(e.state.observed_at) if e.state else None,
            commit=e.state.commit if e.state else None) for e in report.environments],
        artifacts=[ArtifactOut(artifact=r.artifact, environments=[CellOut(
            environment=c.env, desired=list(c.desired),
            observed=None if c.observed is None else [
                ObservedOut(version=o.version, share=o.share, digest=o.digest)
                for o in c.observed],
            drift=c.drift, skew=c.skew) for c in r.cells]) for r in report.rows],
        findings=[_finding(f) for f in report.findings]))


# --- history --env ------------------------------------------------------------------------


def _event_text(event: HistoryEvent) -> str:
    what = f"{event.artifact} {_version(event.version)}"
    if event.change == "started":
        return f"started {what}" + (f" at {event.share * 100:.0f}%" if event.share < FULL else "")
    if event.change == "stopped":
        return f"stopped {what}"
    return f"{what} {(event.before or 0) * 100:.0f}% -> {event.share * 100:.0f}%"


def history_text(found: EnvHistory) -> str:
    if not found.events:
        return f"env/{found.env}: no history of {found.path} in git\n"
    rows = [[when_text(e.observed_at), e.commit[:12], f"deployed {e.deployed[:12]}",
             _event_text(e)] for e in found.events]
    return f"env/{visible(found.env)} ({visible(found.path)})\n" + _columns(
        [[visible(c) for c in row] for row in rows])


def history_json(found: EnvHistory) -> str:
    return dump(EnvHistoryOut(environment=found.env, statePath=found.path, events=[
        EnvEventOut(observedAt=when_text(e.observed_at), commit=e.commit, day=e.day,
                    deployed=e.deployed, artifact=e.artifact,
                    change=e.change,
                    version=e.version, share=e.share, before=e.before)
        for e in found.events]))
