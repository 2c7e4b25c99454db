"""The `aireg` command: the group and its global options, start-up, and the one place that
turns what a command returned, or raised, into the process's exit code.

Each command lives in a module of cli/commands, imported when that command runs (by the table
in cli/commands); the commands import the registry lazily so that `aireg --help` and
`aireg --version` stay fast.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from registry import __version__
from registry.findings import AiregError, ExitCode, RegistryBroken

from . import commands
from .options import Options


def _global_options(after_command: bool) -> list[click.Parameter]:
    """The options of the `aireg` group. Each command takes them too (`after_command`), as
    users write them after it: a pre-commit hook's `args:` come after its `aireg check`
    entry, so `args: [-C, registry]` runs `aireg check -C registry`."""
    # Given after the command, an option sets the run's Options (the later one wins) and
    # is not a parameter of the command's function; unset, it leaves the group's value.
    late: dict[str, Any] = (
        {"expose_value": False, "callback": _set_global_option} if after_command else {})
    return [
        click.Option(["-C", "directory"], type=click.Path(path_type=Path),
                     default=None if after_command else ".",
                     help="Run as if aireg was started in this folder.", **late),
        click.Option(["--rev"], metavar="REF", help="Read the registry at this git revision.",
                     **late),
        click.Option(["--today"], type=click.DateTime(formats=["%Y-%m-%d"]),
                     metavar="YYYY-MM-DD",
                     help="Judge every date against this day instead of the local date.",
                     **late),
        click.Option(["--now"], metavar="RFC3339",
                     help="Judge observed environment state at this time (such as "
                          "2026-01-05T14:00:00Z) instead of the clock; default: --today at "
                          "midnight UTC, else the current time.", **late),
        click.Option(["--no-cache"], is_flag=True,
                     envvar=None if after_command else "AIREG_NO_CACHE",
                     help="Neither read nor write the cache in .git/aireg (parses and outputs); "
                          "also AIREG_NO_CACHE=1.", **late),
        click.Option(["--debug"], is_flag=True, help="Show tracebacks of internal errors.",
                     **late),
    ]


def _set_global_option(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is None or value is False:  # not given after the command
        return
    options = ctx.find_object(Options)
    assert options is not None, "the run makes the Options before any command parses"
    if isinstance(value, dt.datetime):
        value = value.date()
    assert param.name is not None
    setattr(options, param.name, value)


class _Group(click.Group):
    """A group whose commands (and subgroups' commands, and theirs) take the global
    options, each imported when it is asked for: building every command costs more than a
    warm command's own work."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _take_global_options(cmd)
        super().add_command(cmd, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(commands.MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in commands.MODULES:
            module = importlib.import_module(f"{commands.__name__}."
                                             f"{commands.MODULES[cmd_name]}")
            for command in module.COMMANDS:
                if command.name not in self.commands:
                    self.add_command(command)
        return self.commands.get(cmd_name)

    def every_command(self) -> dict[str, click.Command]:
        """Every command, by name (each module imported)."""
        context = click.Context(self)
        found = {name: self.get_command(context, name) for name in self.list_commands(context)}
        return {name: command for name, command in found.items() if command is not None}


def _take_global_options(cmd: click.Command) -> None:
    cmd.params.extend(_global_options(after_command=True))
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _take_global_options(sub)


@click.group(cls=_Group, params=_global_options(after_command=False),
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(version=__version__, prog_name="aireg")
@click.pass_context
def cli(ctx: click.Context, directory: Path, rev: str | None, today: dt.datetime | None,
        now: str | None, no_cache: bool, debug: bool) -> None:
    """A GitOps registry for the parts AI products are built from.

    Reads the aireg.yaml registry around the current folder (or -C PATH), at any git
    revision, and answers who depends on what.
    """
    options = ctx.ensure_object(Options)
    options.directory, options.rev, options.now = directory, rev, now
    options.today, options.no_cache, options.debug = (
        today.date() if today else None, no_cache, debug)


def main(argv: Sequence[str] | None = None, console: bool = False) -> NoReturn:
    """Entry point: run a command and exit with the code the table in registry.findings
    gives for what it returned or raised."""
    options = Options(console=console)  # as the console script, a snapshot may outlive it
    try:
        sys.exit(_run(argv, options))
    finally:
        if options.cache_opened:  # a cold load may still be writing its cache and snapshot
            from registry import store
            from registry.cache import wait_for_writers

            store.flush(background=options.console)
            if not options.console:  # the console script's writers finish by themselves
                wait_for_writers()


def _run(argv: Sequence[str] | None, options: Options) -> int:
    """The exit code of one run: the only place an outcome becomes one."""
    try:
        code = cli.main(args=list(argv) if argv is not None else None, prog_name="aireg",
                        standalone_mode=False, obj=options)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return ExitCode.USAGE
    except click.Abort:
        click.echo("aireg: aborted", err=True)
        return ExitCode.USAGE
    except RegistryBroken as error:
        from registry.render import finding_line

        for item in error.blocking:
            click.echo(finding_line(item), err=True)
        click.echo(f"aireg: error: {error}", err=True)
        return error.exit_code
    except AiregError as error:
        click.echo(f"aireg: error: {error}", err=True)
        return error.exit_code
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as error:  # the one place internal errors become exit 3
        if options.debug:
            import traceback

            traceback.print_exc()
        else:
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            click.echo(f"aireg: internal error: {type(error).__name__}: {first} "
                       "(rerun with --debug for the traceback, and report it)", err=True)
        return ExitCode.INTERNAL
    return code if isinstance(code, int) else ExitCode.OK


def console() -> NoReturn:
    """The `aireg` console script: `main`, then leave without tearing the heap down.

    Freeing a large registry's objects one by one at exit takes longer than some commands;
    the operating system reclaims the memory at once. Output is flushed first.

    The cyclic garbage collector is off for the process: a load makes hundreds of thousands
    of objects and no cycles worth collecting, and its repeated full scans of a growing heap
    cost more than the whole parse (peak memory is the same either way; see benchmarks/).
    """
    gc.disable()
    try:
        main(console=True)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    else:  # main always exits
        code = ExitCode.OK
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


if __name__ == "__main__":
    main()
