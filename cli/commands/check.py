"""`aireg check`: every rule, and the version rules against a base revision."""

from __future__ import annotations

from pathlib import Path

import click

from registry.findings import ExitCode

from ..options import Options, format_option, pass_options
from ..replay import stored


@click.command()
@click.option("--base", metavar="REF",
              help="Also compare with this git revision: version-not-bumped, version-decreased, "
                   "removed-in-use.")
@click.option("--scan", "scan_paths", multiple=True, type=click.Path(path_type=Path),
              metavar="PATH", help="Also scan the code under PATH (repeatable): "
              "undeclared-model, undeclared-mcp-server, adapter-base-mismatch, "
              "unreferenced-pin.")
@format_option("check")
@pass_options
@stored(revisions=("base",))
def check(options: Options, base: str | None, scan_paths: tuple[Path, ...],
          fmt: str) -> int | None:
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
    if scan_paths:
        from .adopt import check_findings

        scanned = check_findings(project, scan_paths)
    result = project.check(versions, scanned if scan_paths else None)
    options.out.render(result, fmt)
    if result.fails(project.loaded.config.spec.policy.failOn):
        return ExitCode.FINDINGS
    return None


COMMANDS = (check,)
