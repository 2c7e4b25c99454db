"""`aireg export backstage [-o DIR]`: the registry as Backstage catalog entities."""

from __future__ import annotations

from pathlib import Path

import click

from ..options import Options, pass_options


@click.group()
def export() -> None:
    """Export the registry for other tools."""


@export.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/catalog-info.yaml (default: standard output).")
@pass_options
def backstage(options: Options, output: Path | None) -> None:
    """Backstage catalog entities: features as Components, prompts, adapters, datasets and
    models as Resources, MCP servers as APIs, teams as Groups, each edge as dependsOn.

    Every entity is validated against Backstage's entity schemas before it is written.
    """
    from registry import backstage as mapping

    found = mapping.entities(options.project())
    text = mapping.render(found)
    if output is None:
        options.out.write(text)
        return
    output.mkdir(parents=True, exist_ok=True)
    target = output / "catalog-info.yaml"
    options.out.write_file(target, text)
    options.out.say(f"wrote {target} ({len(found)} entities)")


COMMANDS = (export,)
