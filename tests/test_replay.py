"""cli.replay: each command that stores its output declares every revision it reads."""

from __future__ import annotations

import click

from cli.main import cli
from cli.replay import declared_reads


def commands(group: click.Group) -> list[click.Command]:
    found: list[click.Command] = []
    listed = group.every_command() if group is cli else group.commands
    for command in listed.values():
        found += commands(command) if isinstance(command, click.Group) else [command]
    return found


def test_every_option_naming_a_revision_is_declared_where_output_is_stored() -> None:
    stored = {c.name: declared_reads(c) for c in commands(cli) if declared_reads(c)}
    assert set(stored) >= {"check", "ls", "show", "deps", "impact", "graph", "deprecations",
                           "orphans", "bom"}
    for command in commands(cli):
        reads = declared_reads(command)
        if reads is None:
            continue
        # --rev is the group's, read by every command; any other REF option is a revision.
        named = {p.name for p in command.params if isinstance(p, click.Option)
                 and p.metavar == "REF" and p.name != "rev"}
        assert named <= set(reads.revisions), command.name
        assert reads.head is None or reads.head in reads.revisions, command.name


def test_impact_reads_head_instead_of_the_working_tree() -> None:
    reads = declared_reads(cli.every_command()["impact"])
    assert reads is not None
    assert (reads.revisions, reads.head) == (("base", "head"), "head")
