"""Lifecycle reports: `deprecations` (deadlines) and `orphans` (adapters left behind)."""

from __future__ import annotations

import click

from registry.findings import ExitCode

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
    project = options.project()
    life = project.lifecycle
    report = life.report(within)
    options.warn_setup(project)
    options.out.render(report, fmt)
    if fail_on is not None and life.deadline_hit(report.rows, fail_on):
        return ExitCode.FINDINGS
    return None


@click.command()
@format_option("orphans")
@pass_options
@stored()
def orphans(options: Options, fmt: str) -> None:
    """Orphaned adapters, each with every reason, its owner, its base model and its users."""
    from registry import orphans as analysis

    project = options.project()
    report = analysis.report(project.catalog, project.lifecycle)
    options.warn_setup(project)
    options.out.render(report, fmt)


COMMANDS = (deprecations, orphans)
