"""`aireg history`: the commits that changed each version of an artifact."""

from __future__ import annotations

import click

from ..options import Options, fail, format_option, pass_options


@click.command()
@click.argument("ref", required=False)
@click.option("--env", metavar="E", help="What ran in environment E and when, from the git "
              "history of its observed-state file (REF: only that artifact).")
@format_option("history")
@pass_options
def history(options: Options, ref: str | None, env: str | None, fmt: str) -> None:
    """The commits that introduced or changed each version of REF, with author, day and the
    change class (from the files that declare it now); with --env, what ran in E and when."""
    from registry import history as log

    if env is not None:
        from registry import views

        options.out.render(views.env_history(options.project(), env, ref), fmt)
        return
    if ref is None:
        fail("name a ref, such as prompt/house-style, or an environment with --env E")
    options.out.render(log.report(options.project(), ref, options.rev or "HEAD"), fmt)


COMMANDS = (history,)
