"""`aireg history`: the commits that changed each version of an artifact."""

from __future__ import annotations

import click

from registry.render import Format

from ..options import Options, format_option, pass_options


@click.command()
@click.argument("ref")
@format_option("history")
@pass_options
def history(options: Options, ref: str, fmt: str) -> None:
    """The commits that introduced or changed each version of REF, with author, day and the
    change class (from the files that declare it now)."""
    from registry import history as log
    from registry.refs import Ref
    from registry.render import text

    project = options.project()
    project.catalog.lookup(ref)
    parsed = Ref.parse(ref)
    name = f"{parsed.kind}/{parsed.name}"
    events = log.history(project, parsed, options.rev or "HEAD")
    match Format(fmt):
        case Format.TEXT:
            options.out.write(text.history(name, events))
        case Format.JSON:
            from registry.render import json as json_out

            options.out.write(json_out.history(name, events))
        case other:
            raise AssertionError(other)


COMMANDS = (history,)
