"""`aireg export backstage [-o DIR]`: the registry as Backstage catalog entities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


@click.group()
def export() -> None:
    """Export the registry for other tools."""


@export.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/catalog-info.yaml (default: standard output).")
@click.pass_obj
def backstage(options: Any, output: Path | None) -> None:
    """Backstage catalog entities: features as Components, prompts, adapters, datasets and
    models as Resources, MCP servers as APIs, teams as Groups, each edge as dependsOn.

    Every entity is validated against Backstage's entity schemas before it is written.
    """
    from registry import backstage as mapping
    from registry.edit import write_atomic

    found = mapping.entities(options.project())
    text = mapping.render(found)
    if output is None:
        click.echo(text, nl=False)
        return
    output.mkdir(parents=True, exist_ok=True)
    target = output / "catalog-info.yaml"
    write_atomic(target, text)
    click.echo(f"wrote {target} ({len(found)} entities)", err=True)
