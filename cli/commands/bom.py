"""`aireg bom`: the CycloneDX AI-BOM, or its completeness review."""

from __future__ import annotations

from pathlib import Path

import click

from registry import __version__

from ..options import Options, fail, pass_options
from ..replay import stored


@click.command()
@click.argument("features", nargs=-1, metavar="[FEATURE_REF]...")
@click.option("--spec-version", type=click.Choice(["1.6", "1.7"]), default="1.6",
              show_default=True, help="CycloneDX specification version.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the BOM to this file (default: standard output).")
@click.option("--completeness", is_flag=True,
              help="Print the completeness review instead of the BOM.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None,
              help="With --completeness: text (default) or json.")
@pass_options
@stored()
def bom(options: Options, features: tuple[str, ...], spec_version: str, output: Path | None,
        completeness: bool, fmt: str | None) -> None:
    """A CycloneDX AI-BOM of the registry, or of FEATURE_REFs and everything they use.

    Validated against the official schema and reproducible: the same commit gives the same
    bytes. A registry with error findings is refused (exit 1). A completeness summary goes to
    standard error.
    """
    from registry import bom as mapping
    from registry.render import bom as bom_out
    from registry.render import text

    if fmt is not None and not completeness:
        fail("--format goes with --completeness (the BOM itself is CycloneDX JSON)")
    project = options.project()
    decls, _ = mapping.scope_of(project, list(features))
    review = mapping.review(decls)
    if completeness:
        options.out.render(review, fmt or "text")
        return
    mapping.gate(project)
    commit, timestamp = mapping.revision_of(project)
    mapped = mapping.build(project, list(features), timestamp, commit, __version__)
    document = bom_out.serialize(mapped, spec_version, timestamp)
    if output is None:
        options.out.write(document)
    else:
        options.out.write_file(output, document)
        options.out.say(f"wrote {output} ({len(mapped.scope)} declarations, CycloneDX "
                        f"{spec_version})")
    options.out.say(text.completeness(review).rstrip("\n"))


COMMANDS = (bom,)
