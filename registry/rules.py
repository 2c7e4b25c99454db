"""`aireg check`: every rule over a loaded registry, with the registry's severity policy."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import kinds, prompts
from .catalog import Catalog
from .decl import Decl
from .findings import UNRESOLVED, About, Finding, Severity, finding, with_overrides
from .graph import DepGraph
from .refs import suggest

if TYPE_CHECKING:
    from .lifecycle import Lifecycle

_SIMPLE_ID = re.compile(r"^[A-Za-z0-9.+:-]+$")
# The edges along which data flows into what is built from it (not evaluation).
TRAINED = frozenset({"trained-on", "derived-from"})
NO_OWNER_NEEDED = frozenset({"Team"})
NEVER_UNUSED = frozenset({"Feature", "Eval", "Team", "Environment", "Revocation"})


@dataclass
class CheckResult:
    findings: list[Finding]
    declarations: int
    files: int
    registry: str = ""  # the registry's name (metadata.name in aireg.yaml)

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
        status = catalog.owner_status(owner)
        at = decl.at("metadata", "owner")
        about: About = {"subject": decl.id, "field": "metadata.owner", "value": owner}
        name = (owner or "").partition("/")[2]
        if status == "missing":
            out.append(finding("missing-owner", f"{decl.id} has no owner; add metadata.owner: "
                               "team/<name> or user/<handle>", decl.at("metadata", on_key=True),
                               **about))
        elif status == "unknown-team":
            out.append(finding("unknown-owner", f"owner {owner} is not a declared Team"
                               f"{_suggest_team(catalog, name)}; declare it or fix the name", at,
                               **about))
        elif status == "inactive-team":
            out.append(finding("inactive-owner", f"owner {owner} is an inactive team; hand "
                               f"{decl.id} to an active team", at, **about))
        elif status == "unknown-user":
            out.append(finding("unknown-owner", f"owner {owner} is in no Team's members; add "
                               f"{name} to a team, or give {decl.id} a team owner", at, **about))
        elif status == "inactive-user":
            out.append(finding("inactive-owner", f"owner {owner} is only in inactive teams; "
                               f"hand {decl.id} to someone in an active team", at, **about))
    return out


def _suggest_team(catalog: Catalog, name: str) -> str:
    return suggest(name, list(catalog.teams), prefix="team/")


def cycle_findings(graph: DepGraph) -> list[Finding]:
    out: list[Finding] = []
    for cycle in graph.cycles():
        loop = [*cycle, cycle[0]]
        edge = graph.edge(loop[0], loop[1])
        shown = " -> ".join(loop)
        out.append(edge.site.finding("cycle", f"dependency cycle: {shown}; remove one of these "
                                     "refs"))
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
                           "no longer needed", decl.at("metadata", "name"), subject=decl.id))
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
            out.append(site.finding(
                "unpinned-ref", f"`{ref}` has no version range, so it follows every new "
                f"version, majors included; pin it, such as {ref.kind}/{ref.name}@^{major}"))
    return out


def apply_policy(findings: list[Finding], config: kinds.RegistryConfig) -> list[Finding]:
    """Severity overrides from aireg.yaml; rules set to `off` are dropped. A finding with a
    ceiling (a deadline whose day is not firm) is then capped at it."""
    return with_overrides(findings, dict(config.spec.policy.rules))


def dataset_findings(catalog: Catalog, life: Lifecycle) -> list[Finding]:
    """dataset-license and retention-expired."""
    out: list[Finding] = []
    for decl in sorted(catalog.of_kind("Dataset"), key=lambda d: d.id):
        assert isinstance(decl.model, kinds.Dataset)
        spec = decl.model.spec
        out.extend(_license_findings(decl, spec.license))
        if spec.retention is None or spec.retention.until >= life.today:
            continue
        ago = (life.today - spec.retention.until).days
        trained = sorted(life.graph.dependents([decl.id], labels=TRAINED))
        what = f"; built on it: {', '.join(trained)}" if trained else ""
        out.append(finding(
            "retention-expired", f"the retention of {decl.id} ended on {spec.retention.until} "
            f"({ago} day{'' if ago == 1 else 's'} ago): purge the data or extend "
            f"spec.retention.until{what}", decl.at("spec", "retention", "until"),
            subject=decl.id, field="spec.retention.until"))
    return out


def _license_findings(decl: Decl, license_text: str | None) -> list[Finding]:
    about: About = {"subject": decl.id, "field": "spec.license", "value": license_text}
    if license_text is None or not license_text.strip():
        return [finding("dataset-license", f"{decl.id} has no license; set spec.license to an "
                        "SPDX expression (such as CC-BY-4.0) or proprietary",
                        decl.at("spec", on_key=True), **about)]
    at = decl.at("spec", "license")
    if license_text.strip().upper() == "NOASSERTION":
        return [finding("dataset-license", f"the license of {decl.id} is NOASSERTION; find out "
                        "its license and write it as an SPDX expression, or proprietary", at,
                        **about)]
    problem = spdx_problem(license_text)
    if problem is None:
        return []
    item = finding("dataset-license", f"`{license_text}` is not a valid SPDX expression "
                   f"({problem}); use SPDX ids such as CC-BY-4.0, LicenseRef-<name> for "
                   "others, or proprietary", at, **about)
    return [item.with_severity(Severity.ERROR)]


@functools.cache
def _canonical_ids() -> dict[str, str]:
    from license_expression import get_license_index

    ids: dict[str, str] = {}
    for entry in get_license_index():
        for key in (entry.get("spdx_license_key"), *entry.get("other_spdx_license_keys", [])):
            if key:
                ids.setdefault(str(key).lower(), str(key))
    return ids


def spdx_canonical(expression: str) -> str:
    """A valid SPDX expression with its ids and operators in SPDX's own spelling."""
    text = expression.strip()
    if _SIMPLE_ID.match(text):
        return _canonical_ids().get(text.lower(), text)
    rendered = _licensing().parse(text, validate=False, strict=True)
    return str(rendered.render("{symbol.key}")) if rendered is not None else text


@functools.cache
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@functools.lru_cache(maxsize=1024)
def spdx_problem(expression: str) -> str | None:
    """Why a license expression is not valid SPDX, or None. `proprietary` is accepted, and so
    are LicenseRef- ids (the SPDX way to name any other license)."""
    text = expression.strip()
    if text.lower() == "proprietary":
        return None
    if _SIMPLE_ID.match(text) and (text.lower() in _canonical_ids() or
                                  text.startswith(("LicenseRef-", "DocumentRef-"))):
        return None  # the common case, without building the expression parser
    from license_expression import ExpressionError

    licensing = _licensing()
    try:
        parsed = licensing.parse(expression, validate=False, strict=True)
    except ExpressionError as error:
        return str(error)
    if parsed is None:
        return "it is empty"
    unknown = [key for key in licensing.unknown_license_keys(parsed)
               if not key.startswith(("LicenseRef-", "DocumentRef-"))]
    if unknown:
        return f"unknown license id {', '.join(sorted(unknown))}"
    return None


def run(catalog: Catalog, graph: DepGraph, life: Lifecycle) -> list[Finding]:
    """Every finding of the registry, at the rules' default severities."""
    from . import consent, indexes, orphans

    return [
        *catalog.loaded.findings,
        *catalog.findings,
        *cycle_findings(graph),
        *prompts.check_all(catalog),
        *owner_findings(catalog),
        *unused_findings(catalog, graph),
        *unpinned_findings(catalog),
        *life.findings(),
        *orphans.findings(orphans.find(catalog, life)),
        *dataset_findings(catalog, life),
        *indexes.findings(catalog),
        *consent.findings(catalog, graph, life.today),
    ]


def superseded(found: list[Finding], versions: list[Finding]) -> list[Finding]:
    """The findings with the version rules' added, less each dangling or unsatisfied ref at a
    ref that a removed-in-use finding explains (one error for one broken ref)."""
    explained = {(f.subject, f.field, f.value) for f in versions if f.rule == "removed-in-use"}
    kept = [f for f in found
            if f.rule not in UNRESOLVED or (f.subject, f.field, f.value) not in explained]
    return kept + versions
