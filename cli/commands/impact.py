"""`aireg impact`: what depends on named artifacts, or on what changed since a base."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from registry.render import Format

from ..options import Options, fail, format_option, pass_options
from ..replay import stored

if TYPE_CHECKING:
    from registry.project import Project


@click.command()
@click.argument("refs", nargs=-1)
@click.option("--base", metavar="REF", help="Compare with this git revision (a pull request's "
              "base): what changed, what it reaches, what is new.")
@click.option("--head", metavar="REF", help="With --base: the revision to compare (default: "
              "the working tree).")
@format_option("impact")
@pass_options
@stored(revisions=("base", "head"), head="head")
def impact(options: Options, refs: tuple[str, ...], base: str | None, head: str | None,
           fmt: str) -> None:
    """What depends on the artifacts REFS name, transitively (every declared version when a
    ref has no range): dependents with one shortest path, features, owners and evals.

    With --base, the same for everything that changed between two revisions.
    """
    from registry import impact as analysis
    from registry.render import markdown, text

    if base is not None:
        if refs:
            fail("give either REFS or --base, not both")
        _impact_between(options, base, head, Format(fmt))
        return
    if head is not None:
        fail("--head goes with --base")
    if not refs:
        fail("name at least one ref, such as prompt/house-style, or compare revisions with "
             "--base REF")
    project = options.project()
    targets = list({d.id: d for ref in refs for d in project.catalog.lookup(ref)}.values())
    report = analysis.analyze(project.catalog, project.graph, targets)
    match Format(fmt):
        case Format.TEXT:
            options.out.write(text.impact(report))
        case Format.JSON:
            from registry.render import json as json_out

            options.out.write(json_out.impact(report, project.catalog))
        case Format.MARKDOWN:
            options.out.write(markdown.impact(report))
        case other:
            raise AssertionError(other)


def _impact_between(options: Options, base: str, head: str | None, fmt: Format) -> None:
    from registry import diff
    from registry.render import markdown, text

    head_project = options.project_at(head, "--head") if head is not None else options.project()
    base_project = options.base_of(head_project, base)
    report = diff.compare(base_project, head_project, _label(base, base_project),
                          _label(head, head_project) if head else "the working tree", base)
    match fmt:
        case Format.TEXT:
            options.out.write(text.impact_base(report))
        case Format.JSON:
            from registry.render import json as json_out

            options.out.write(json_out.impact_base(report))
        case Format.MARKDOWN:
            options.out.write(markdown.pr_comment(report, head_project.catalog, head_project.graph))
        case other:
            raise AssertionError(other)


def _label(rev: str, project: Project) -> str:
    commit = project.loaded.tree.commit
    return f"{rev} ({commit[:12]})" if commit else rev


COMMANDS = (impact,)
