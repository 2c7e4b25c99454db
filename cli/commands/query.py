"""Questions about one registry: `ls`, `show`, `deps`, `graph` and `render`."""

from __future__ import annotations

import click

from registry.render import Format

from ..options import Options, fail, format_option, pass_options
from ..replay import stored


def _kind_filter(value: str | None) -> str | None:
    if value is None:
        return None
    from registry.kinds import KINDS
    from registry.refs import REF_KINDS

    by_lower = {k.lower(): k for k in KINDS} | {r: k for r, k in REF_KINDS.items() if k}
    kind = by_lower.get(value.lower())
    if kind is None:
        fail(f"unknown kind `{value}`; kinds are {', '.join(KINDS)}")
    return kind


@click.command(name="ls")
@click.option("--kind", help="Only this kind (Prompt, prompt, McpServer, mcp, ...).")
@click.option("--owner", help="Only this owner, such as team/support or user/maria.")
@format_option("ls")
@pass_options
@stored()
def ls_command(options: Options, kind: str | None, owner: str | None, fmt: str) -> None:
    """List declarations."""
    from registry.render import text
    from registry.views import line_of

    wanted = _kind_filter(kind)
    project = options.project()
    decls = sorted(project.catalog.decls(), key=lambda d: (d.kind, d.id))
    decls = [d for d in decls if (wanted is None or d.kind == wanted) and
             (owner is None or d.owner == owner)]
    rows = [(d, line_of(project, d)) for d in decls]
    match Format(fmt):
        case Format.TEXT:
            options.out.write(text.ls(rows))
        case Format.JSON:
            from registry.render import json as json_out

            options.out.write(json_out.ls(rows, project.name))
        case other:
            raise AssertionError(other)


@click.command()
@click.argument("ref")
@format_option("show")
@pass_options
@stored()
def show(options: Options, ref: str, fmt: str) -> None:
    """Show one declaration: the highest version REF admits."""
    from registry.render import text
    from registry.views import highest, line_of
    from registry.yamlio import Located

    project = options.project()
    decl = highest(project.catalog, ref)
    line = line_of(project, decl)
    match Format(fmt):
        case Format.TEXT:
            options.out.write(text.show(decl, line, project.catalog, project.graph,
                            project.lifecycle.retirement(decl)))
        case Format.JSON:
            from registry.render import json as json_out

            options.out.write(json_out.show(decl, line, project.catalog, project.graph,
                                project.lifecycle.records.get(decl.id)))
        case Format.YAML:
            source = project.locator.text(decl.path)
            options.out.write(f"# {decl.path}:{line}\n" + Located(source).document_text(decl.doc))
        case other:
            raise AssertionError(other)


@click.command()
@click.argument("ref")
@click.option("--depth", type=click.IntRange(min=1), help="Stop this many edges down.")
@format_option("deps")
@pass_options
@stored()
def deps(options: Options, ref: str, depth: int | None, fmt: str) -> None:
    """What REF uses, transitively."""
    from registry.render import text
    from registry.views import highest

    project = options.project()
    root = highest(project.catalog, ref)
    match Format(fmt):
        case Format.TEXT:
            options.out.write(text.deps(root, project.graph, depth))
        case Format.JSON:
            reached = project.graph.dependencies([root.id], depth)
            from registry.render import json as json_out

            options.out.write(json_out.deps(root, reached, project.catalog))
        case other:
            raise AssertionError(other)


@click.command()
@click.argument("ref", required=False)
@format_option("graph")
@pass_options
@stored()
def graph(options: Options, ref: str | None, fmt: str) -> None:
    """The dependency graph: all of it, or what REF uses and what uses it."""
    from registry.render import mermaid

    project = options.project()
    g = project.graph
    if ref is None:
        nodes = list(project.catalog.by_id)
    else:
        starts = [d.id for d in project.catalog.lookup(ref)]
        nodes = [*starts, *g.dependencies(starts), *g.dependents(starts)]
    match Format(fmt):
        case Format.MERMAID:
            options.out.write(mermaid.mermaid(project.catalog, g, nodes))
        case Format.DOT:
            options.out.write(mermaid.dot(project.catalog, g, nodes))
        case Format.JSON:
            from registry.render import json as json_out

            options.out.write(json_out.graph(project.catalog, g, nodes))
        case other:
            raise AssertionError(other)


@click.command()
@click.argument("ref")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A template variable (repeatable).")
@pass_options
def render(options: Options, ref: str, variables: tuple[str, ...]) -> None:
    """Render a prompt with its includes and variables."""
    from registry import prompts
    from registry.views import highest

    values: dict[str, str] = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--var takes NAME=VALUE, not `{item}`")
        values[name] = value
    project = options.project()
    decl = highest(project.catalog, ref)
    if decl.kind != "Prompt":
        fail(f"{decl.id} is a {decl.kind}; render takes a prompt ref")
    options.out.write(prompts.render(project.catalog, decl, values))


COMMANDS = (ls_command, show, deps, graph, render,)
