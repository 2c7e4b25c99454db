"""Lifecycle reports: `deprecations` (deadlines) and `orphans` (adapters left behind)."""

from __future__ import annotations

import click

from registry.findings import ExitCode
from registry.render import Format

from ..options import Options, format_option, pass_options
from ..replay import stored


@click.command()
@click.option("--within", type=click.IntRange(min=0), metavar="DAYS",
              help="Only deadlines at most this many days away (passed ones included).")
@click.option("--fail-on", "fail_on", type=click.Choice(["soon", "passed"]),
              help="Exit 1 when a listed deadline has passed (passed), or has passed or is "
                   "within the deprecation window (soon); for scheduled jobs.")
@format_option("deprecations")
@pass_options
@stored()
def deprecations(options: Options, within: int | None, fail_on: str | None,
                 fmt: str) -> int | None:
    """Deadlines, sorted by day: what retires, when, the replacement, where the day comes
    from, and the features and owners that reach it; datasets' retention days too."""
    from registry.render import markdown, text

    project = options.project()
    life = project.lifecycle
    rows = life.deadlines(within)
    options.warn_setup(project)
    match Format(fmt):
        case Format.TEXT:
            options.out.write(text.deprecations(rows, life.today, life.window))
        case Format.JSON:
            from registry.render import json as json_out

            options.out.write(json_out.deprecations(rows, life.today, life.window))
        case Format.MARKDOWN:
            options.out.write(markdown.deprecations(rows, life.today, life.window))
        case other:
            raise AssertionError(other)
    if fail_on is not None and life.deadline_hit(rows, fail_on):
        return ExitCode.FINDINGS
    return None


@click.command()
@format_option("orphans")
@pass_options
@stored()
def orphans(options: Options, fmt: str) -> None:
    """Orphaned adapters, each with every reason, its owner, its base model and its users."""
    from registry import orphans as analysis
    from registry.render import text

    project = options.project()
    found = analysis.find(project.catalog, project.lifecycle)
    options.warn_setup(project)
    match Format(fmt):
        case Format.TEXT:
            options.out.write(text.orphans(found))
        case Format.JSON:
            from registry.render import json as json_out

            options.out.write(json_out.orphans(found, project.today))
        case other:
            raise AssertionError(other)


COMMANDS = (deprecations, orphans,)
