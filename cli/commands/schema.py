"""`aireg schema`: the JSON Schemas of every kind, of aireg.yaml and of the JSON outputs."""

from __future__ import annotations

from pathlib import Path

import click

from ..options import Options, pass_options


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write every schema into this folder (as in the repository's schemas/).")
@pass_options
def schema(options: Options, out: Path | None) -> None:
    """JSON Schemas of every kind, of aireg.yaml and of the JSON outputs.

    Without --out, prints the schema of any declaration, for YAML editors.
    """
    from registry.schema import schemas

    generated = schemas()
    if out is None:
        options.out.write(generated["declaration.schema.json"])
        return
    for name, content in generated.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    options.out.say(f"wrote {len(generated)} schemas to {out}")


COMMANDS = (schema,)
