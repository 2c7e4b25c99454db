"""`aireg lineage REF`: the data REF was built from, down to raw sources (SPEC section 12)."""

from __future__ import annotations

import click

from ..options import Options, format_option, pass_options
from ..replay import stored


@click.command()
@click.argument("ref")
@format_option("lineage")
@pass_options
@stored()
def lineage(options: Options, ref: str, fmt: str) -> None:
    """The data REF (an adapter, index, feature, prompt or dataset) was built from, down to
    raw sources: license, personal data, consent, retention and revocations at each node."""
    from registry import lineage as analysis

    project = options.project()
    options.out.render(analysis.build(project.catalog, project.graph,
                                      analysis.root_of(project.catalog, ref)), fmt)


COMMANDS = (lineage,)
