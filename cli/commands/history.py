"""`aireg history`: the commits that changed each version of an artifact."""

from __future__ import annotations

import click

from ..options import Options, format_option, pass_options


@click.command()
@click.argument("ref")
@format_option("history")
@pass_options
def history(options: Options, ref: str, fmt: str) -> None:
    """The commits that introduced or changed each version of REF, with author, day and the
    change class (from the files that declare it now)."""
    from registry import history as log

    options.out.render(log.report(options.project(), ref, options.rev or "HEAD"), fmt)


COMMANDS = (history,)
