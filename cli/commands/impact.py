"""`aireg impact`: what depends on named artifacts, or on what changed since a base."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..options import Options, fail, format_option, pass_options
from ..replay import stored

if TYPE_CHECKING:
    from registry import diff
    from registry.project import Project


@click.command()
@click.argument("refs", nargs=-1)
@click.option("--base", metavar="REF", help="Compare with this git revision (a pull request's "
              "base): what changed, what it reaches, what is new.")
@click.option("--head", metavar="REF", help="With --base: the revision to compare (default: "
              "the working tree).")
@click.option("--scan", "scan_paths", multiple=True, type=click.Path(path_type=Path),
              metavar="PATH", help="With --base: also the scan rules over the code under PATH "
              "at both revisions (new undeclared models, MCP servers, adapter mismatches).")
@format_option("impact")
@pass_options
@stored(revisions=("base", "head"), head="head")
def impact(options: Options, refs: tuple[str, ...], base: str | None, head: str | None,
           scan_paths: tuple[Path, ...], fmt: str) -> None:
    """What depends on the artifacts REFS name, transitively (every declared version when a
    ref has no range): dependents with one shortest path, features, owners and evals.

    With --base, the same for everything that changed between two revisions.
    """
    if base is not None:
        if refs:
            fail("give either REFS or --base, not both")
        _impact_between(options, base, head, fmt, scan_paths)
        return
    if head is not None:
        fail("--head goes with --base")
    if scan_paths:
        fail("--scan goes with --base (check --scan scans without a comparison)")
    if not refs:
        fail("name at least one ref, such as prompt/house-style, or compare revisions with "
             "--base REF")
    from .. import answers

    options.out.render(answers.impact(options, refs), fmt)


def _impact_between(options: Options, base: str, head: str | None, fmt: str,
                    scan_paths: tuple[Path, ...]) -> None:
    from registry import diff

    from .adopt import scanned_sides

    head_label = "the working tree"
    found = None if scan_paths or options.no_cache else _from_snapshots(options, base, head)
    if found is None:
        head_project = options.project_at(head, "--head") if head is not None \
            else options.project()
        base_project = options.base_of(head_project, base)
        scanned = scanned_sides(base_project, head_project, base, head, scan_paths) \
            if scan_paths else None
        found = diff.Side.of(base_project), diff.Side.of(head_project)
    else:
        scanned = None
    base_side, head_side = found
    report = diff.compare(base_side, head_side, _label(base, base_side.project),
                          _label(head, head_side.project) if head else head_label, base,
                          scanned)
    options.out.render(report, fmt)


def _from_snapshots(options: Options, base: str, head: str | None
                    ) -> tuple[diff.Side, diff.Side] | None:
    """Both sides from their stored snapshots, loading only what the change touches
    (registry.delta); None when either has none, or the change needs whole loads. The
    working tree is answered so only while it is HEAD's tree, as a checkout is."""
    import datetime as dt

    from registry import delta, store
    from registry.gitrepo import commit_of
    from registry.root import find_registry

    location = find_registry(options.directory, head, "--head")
    toplevel = location.toplevel
    if toplevel is None:
        return None
    base_commit, head_commit = commit_of(toplevel, base), commit_of(toplevel, head or "HEAD")
    if base_commit is None or head_commit is None:
        return None  # the whole load says what is wrong with the revision
    if head is None:
        # The working tree's key, as the output key worked it out (or anew).
        place = options.place or store.locate(options.directory, None)
        at_head = store.at_revision(toplevel, head_commit, location.prefix)
        if place is None or at_head is None or place.key != at_head.key:
            return None
    today, now = options.clock()
    today = today or dt.date.today()
    base_rev = delta.stored(location, base_commit, today)
    head_rev = delta.stored(location, head_commit, today)
    if base_rev is None or head_rev is None:
        return None
    return delta.sides(location, base_rev, head_rev, today, now)


def _label(rev: str, project: Project) -> str:
    commit = project.loaded.tree.commit
    return f"{rev} ({commit[:12]})" if commit else rev


COMMANDS = (impact,)
