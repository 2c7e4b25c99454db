"""`aireg check`: every rule, and the version rules against a base revision."""

from __future__ import annotations

import click

from registry.findings import ExitCode

from ..options import Options, format_option, pass_options
from ..replay import stored


@click.command()
@click.option("--base", metavar="REF",
              help="Also compare with this git revision: version-not-bumped, version-decreased, "
                   "removed-in-use.")
@format_option("check")
@pass_options
@stored(revisions=("base",))
def check(options: Options, base: str | None, fmt: str) -> int | None:
    """Run every rule; exit 1 on findings at or above the registry's failOn."""
    project = options.project()
    versions = None
    if base is not None:  # the version rules, over the base and this revision
        from registry.diff import version_findings
        from registry.render import text

        against = options.base_of(project, base)
        if against.absent:
            options.out.say(f"aireg: {text.no_base(base, project.location.prefix)} The version "
                            "rules have nothing to compare.")
        versions = version_findings(against, project)
    result = project.check(versions)
    options.out.render(result, fmt)
    if result.fails(project.loaded.config.spec.policy.failOn):
        return ExitCode.FINDINGS
    return None


COMMANDS = (check,)
