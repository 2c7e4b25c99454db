"""`aireg check`: every rule over a loaded registry, with the registry's severity policy."""

from __future__ import annotations

from dataclasses import dataclass

from . import kinds, prompts
from .catalog import Catalog
from .findings import Finding, Severity, finding
from .graph import DepGraph
from .refs import suggest

NO_OWNER_NEEDED = frozenset({"Team"})
NEVER_UNUSED = frozenset({"Feature", "Eval", "Team"})


@dataclass
class CheckResult:
    findings: list[Finding]
    declarations: int
    files: int

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def fails(self, fail_on: str) -> bool:
        threshold = Severity(fail_on).rank
        return any(f.severity.rank >= threshold for f in self.findings)


def owner_findings(catalog: Catalog) -> list[Finding]:
    out: list[Finding] = []
    for decl in catalog.decls():
        if decl.kind in NO_OWNER_NEEDED:
            continue
        owner = decl.owner
        if owner is None:
            out.append(finding("missing-owner", f"{decl.id} has no owner; add metadata.owner: "
                               "team/<name> or user/<handle>", decl.at("metadata", on_key=True)))
            continue
        at = decl.at("metadata", "owner")
        kind, _, name = owner.partition("/")
        if kind == "team":
            team = catalog.teams.get(name)
            if team is None:
                out.append(finding("unknown-owner", f"owner {owner} is not a declared Team"
                                   f"{_suggest_team(catalog, name)}; declare it or fix the name",
                                   at))
            elif not team.spec.active:
                out.append(finding("inactive-owner", f"owner {owner} is an inactive team; hand "
                                   f"{decl.id} to an active team", at))
            continue
        teams = [t for t in catalog.teams.values() if name in t.spec.members]
        if not teams:
            out.append(finding("unknown-owner", f"owner {owner} is in no Team's members; add "
                               f"{name} to a team, or give {decl.id} a team owner", at))
        elif not any(t.spec.active for t in teams):
            out.append(finding("inactive-owner", f"owner {owner} is only in inactive teams; "
                               f"hand {decl.id} to someone in an active team", at))
    return out


def _suggest_team(catalog: Catalog, name: str) -> str:
    return suggest(name, list(catalog.teams), prefix="team/")


def cycle_findings(graph: DepGraph) -> list[Finding]:
    out: list[Finding] = []
    for cycle in graph.cycles():
        loop = [*cycle, cycle[0]]
        edge = graph.edge(loop[0], loop[1])
        shown = " -> ".join(loop)
        out.append(finding("cycle", f"dependency cycle: {shown}; remove one of these refs",
                           edge.at))
    return out


def unused_findings(catalog: Catalog, graph: DepGraph) -> list[Finding]:
    out: list[Finding] = []
    for decl in catalog.decls():
        if decl.kind in NEVER_UNUSED or graph.has_dependents(decl.id):
            continue
        newer = [d.version for d in catalog.by_key[(decl.kind, decl.name)]
                 if d is not decl and d.version and graph.has_dependents(d.id)]
        why = f" (consumers use {', '.join(newer)})" if newer else ""
        out.append(finding("unused-artifact", f"nothing uses {decl.id}{why}; remove it if it is "
                           "no longer needed", decl.at("metadata", "name")))
    return out


def unpinned_findings(catalog: Catalog) -> list[Finding]:
    out: list[Finding] = []
    for decl in catalog.decls():
        for site in catalog.ref_sites(decl):
            ref = site.ref
            if ref.constraint is not None:
                continue
            target = catalog.resolve(ref)
            if target is None or target.version is None:
                continue
            major = target.version.split(".")[0]
            out.append(finding(
                "unpinned-ref", f"`{ref}` has no version range, so it follows every new "
                f"version, majors included; pin it, such as {ref.kind}/{ref.name}@^{major}",
                site.at))
    return out


def apply_policy(findings: list[Finding], config: kinds.RegistryConfig) -> list[Finding]:
    """Severity overrides from aireg.yaml; rules set to `off` are dropped."""
    overrides = config.spec.policy.rules
    out: list[Finding] = []
    for item in findings:
        level = overrides.get(item.rule)
        if level == "off":
            continue
        out.append(item.with_severity(Severity(level)) if level else item)
    return out


def run(catalog: Catalog, graph: DepGraph) -> list[Finding]:
    """Every finding of the registry, severities as the registry's policy sets them."""
    findings = [
        *catalog.loaded.findings,
        *catalog.findings,
        *cycle_findings(graph),
        *prompts.check_all(catalog),
        *owner_findings(catalog),
        *unused_findings(catalog, graph),
        *unpinned_findings(catalog),
    ]
    return apply_policy(findings, catalog.config)
