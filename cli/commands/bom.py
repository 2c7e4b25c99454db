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
@click.option("--format", "fmt", type=click.Choice(["cyclonedx", "spdx3", "text", "json"]),
              default=None, help="The BOM: cyclonedx (default) or spdx3 (SPDX 3.0.1 JSON-LD); "
              "with --completeness: text (default) or json.")
@pass_options
@stored()
def bom(options: Options, features: tuple[str, ...], spec_version: str, output: Path | None,
        completeness: bool, fmt: str | None) -> None:
    """A CycloneDX AI-BOM (or SPDX 3.0.1) of the registry, or of FEATURE_REFs and everything
    they use.

    Validated against the official schema and reproducible: the same commit gives the same
    bytes. Error findings in what the BOM covers refuse it (exit 1); errors elsewhere are a
    warning. A completeness summary goes to standard error (at most ten components, the least
    complete first; --completeness lists every one).
    """
    from registry import bom as mapping
    from registry import bom_score
    from registry.render import bom as bom_out
    from registry.render import finding_line, plural, text

    if fmt in ("text", "json") and not completeness:
        fail(f"--format {fmt} goes with --completeness; the BOM is cyclonedx or spdx3")
    if fmt in ("cyclonedx", "spdx3") and completeness:
        fail(f"--format {fmt} is a BOM format; --completeness takes text or json")
    project = options.project()
    decls, _ = mapping.scope_of(project, list(features))
    if not completeness:
        others = mapping.gate(project, decls, bool(features))
        for item in others:
            options.out.say(finding_line(item))
        if others:
            options.out.say(f"warning: {plural(len(others), 'error finding')} outside what the "
                            "BOM covers; the BOM is written all the same")
    commit, timestamp = mapping.revision_of(project)
    if fmt == "spdx3":
        from registry import spdx3

        data, count = spdx3.build(project, list(features), timestamp, commit, __version__)
        _emit(options, output, spdx3.serialize(data), f"{count} declarations, SPDX 3.0.1")
        return
    mapped = mapping.build(project, list(features), timestamp, commit, __version__, spec_version)
    review = bom_score.review(mapped.document, decls)
    if completeness:
        options.out.render(review, fmt or "text")
        return
    _emit(options, output, bom_out.serialize(mapped, spec_version),
          f"{len(mapped.scope)} declarations, CycloneDX {spec_version}")
    options.out.say(text.completeness_summary(review).rstrip("\n"))


def _emit(options: Options, output: Path | None, document: bytes, what: str) -> None:
    if output is None:
        options.out.write(document)
    else:
        options.out.write_file(output, document)
        options.out.say(f"wrote {output} ({what})")


COMMANDS = (bom,)
