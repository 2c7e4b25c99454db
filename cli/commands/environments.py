"""What runs where (SPEC section 11): `status`, the artifact x environment matrix, and
`digest`, the canonical content digest that running services report."""

from __future__ import annotations

import click

from ..options import Options, format_option, pass_options
from ..replay import stored


@click.command()
@click.option("--env", metavar="E", help="Only environment E.")
@format_option("status")
@pass_options
@stored()
def status(options: Options, env: str | None, fmt: str) -> None:
    """What runs where: every artifact x environment, desired and observed, skew and drift."""
    from registry import views

    options.out.render(views.status(options.project(), env), fmt)


@click.command()
@click.argument("ref")
@pass_options
@stored()
def digest(options: Options, ref: str) -> None:
    """The canonical content digest of REF (its highest version in range): sha256:..."""
    from registry import views
    from registry.digest import digest as content_digest

    project = options.project()
    options.out.write(content_digest(project.catalog, views.highest(project.catalog, ref)) + "\n")


COMMANDS = (status, digest)
