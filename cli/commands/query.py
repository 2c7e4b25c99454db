"""Questions about one registry: `ls`, `show`, `deps`, `graph` and `render`."""

from __future__ import annotations

import click

from ..options import Options, fail, format_option, pass_options
from ..replay import stored


@click.command(name="ls")
@click.option("--kind", help="Only this kind (Prompt, prompt, McpServer, mcp, ...).")
@click.option("--owner", help="Only this owner, such as team/support or user/maria.")
@format_option("ls")
@pass_options
@stored()
def ls_command(options: Options, kind: str | None, owner: str | None, fmt: str) -> None:
    """List declarations."""
    from registry import views

    wanted = views.kind_named(kind) if kind is not None else None
    options.out.render(views.listing(options.project(), wanted, owner), fmt)


@click.command()
@click.argument("ref")
@format_option("show")
@pass_options
@stored()
def show(options: Options, ref: str, fmt: str) -> None:
    """Show one declaration: the highest version REF admits."""
    from registry import views

    options.out.render(views.show(options.project(), ref), fmt)


@click.command()
@click.argument("ref")
@click.option("--depth", type=click.IntRange(min=1), help="Stop this many edges down.")
@format_option("deps")
@pass_options
@stored()
def deps(options: Options, ref: str, depth: int | None, fmt: str) -> None:
    """What REF uses, transitively."""
    from registry import views

    project = options.project()
    root = views.highest(project.catalog, ref)
    options.out.render(views.deps_tree(project.catalog, project.graph, root, depth), fmt)


@click.command()
@click.argument("ref", required=False)
@format_option("graph")
@pass_options
@stored()
def graph(options: Options, ref: str | None, fmt: str) -> None:
    """The dependency graph: all of it, or what REF uses and what uses it."""
    from registry import views

    options.out.render(views.graph_around(options.project(), ref), fmt)


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


COMMANDS = (ls_command, show, deps, graph, render)
