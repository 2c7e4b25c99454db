"""The version rules over two catalogs (`check --base`, `impact --base`): a declaration edited
in place without a new version, a version that went down, a removed version still in use.

Which edits need a new version is the comparison's to say (diff.NEEDS_BUMP); these rules take
its answer, so they read only the two catalogs.
"""

from __future__ import annotations

from typing import NamedTuple

from .catalog import Catalog, RefSite
from .decl import Decl
from .findings import Finding, finding
from .refs import KIND_TO_REF, NodeId, parse_version

# The rules `check --base` adds: part of a pull request's new findings.
RULES = frozenset({"version-not-bumped", "version-decreased", "removed-in-use"})


class Edited(NamedTuple):
    """A head declaration edited in place (same version as in base), with the changes that
    needed a new version, each as `class: field` (such as `behavior: spec.template`)."""

    decl: Decl
    needs_bump: tuple[str, ...]


def findings(base: Catalog, head: Catalog, edited: list[Edited], removed: set[NodeId]
             ) -> list[Finding]:
    """version-not-bumped for each edit that needed a new version, version-decreased, and
    removed-in-use for refs to the `removed` base nodes."""
    out: list[Finding] = []
    for decl, needs in edited:
        if decl.version is None or not needs:
            continue
        out.append(finding(
            "version-not-bumped",
            f"{decl.id} changed ({', '.join(needs)}) but its version did not; give it a new "
            f"version (aireg bump {decl.id} patch|minor|major)", decl.at("metadata", "version"),
            subject=decl.id, field="metadata.version"))
    return out + _decreased(base, head) + _removed_in_use(base, head, removed)


def _removed_in_use(base: Catalog, head: Catalog, removed: set[NodeId]) -> list[Finding]:
    """A ref in head that resolved to a removed version on base and resolves to nothing now."""
    if not removed:
        return []
    out: list[Finding] = []
    for decl in sorted(head.by_id.values(), key=lambda d: d.id):
        for site in head.ref_sites(decl):
            then = base.resolve(site.ref)
            if then is None or then.id not in removed or head.resolve(site.ref) is not None:
                continue
            out.append(site.finding("removed-in-use", _removed_message(head, site, then)))
    return out


def _removed_message(head: Catalog, site: RefSite, then: Decl) -> str:
    artifact = f"{KIND_TO_REF[then.kind]}/{then.name}"
    left = [d.version for d in head.by_key.get((then.kind, then.name), []) if d.version]
    if left:
        what = f"point the ref at a declared version ({', '.join(left)})"
    else:
        what = f"remove the ref (no version of {artifact} is declared now)"
    return (f"`{site.ref}` resolved to {then.id}, which this change removes with no "
            f"successor; keep {then.id}, or {what}")


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
                        decl.at("metadata", "version"), subject=decl.id,
                        field="metadata.version"))
    return out
