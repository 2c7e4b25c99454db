"""`aireg retirements update`: merge newer retirement data into the registry's own file."""

from __future__ import annotations

from pathlib import Path

import click

from ..options import Options, fail, pass_options


@click.group()
def retirements() -> None:
    """The registry's own known-retirements data."""


# A retirements file is a few MB at most; more is not a retirements file.
_MAX_RETIREMENTS_BYTES = 64 * 1024 * 1024


@retirements.command("update")
@click.argument("source", metavar="FILE|URL")
@pass_options
def retirements_update(options: Options, source: str) -> None:
    """Merge a newer LiteLLM JSON or a retirements file into the registry's own file
    (spec.retirements), by the rules the bundled data grows by, and print what changed.
    With no file of its own, the registry gets retirements.yaml and is told to set it."""
    from pathlib import PurePath

    from registry import retirements as data
    from registry.edit import write_atomic

    project = options.editable("retirements update")
    today = project.today
    if source.startswith(("http://", "https://")):
        import urllib.request

        try:
            with urllib.request.urlopen(source, timeout=60) as response:
                raw = response.read(_MAX_RETIREMENTS_BYTES + 1)
        except OSError as error:
            fail(f"cannot read {source}: {error}")
        where = PurePath(source.rsplit("/", 1)[-1] or "retirements.json")
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as error:
            fail(f"cannot read {source}: {error.strerror or error}")
        where = PurePath(source)
    if len(raw) > _MAX_RETIREMENTS_BYTES:
        fail(f"{source} is larger than {_MAX_RETIREMENTS_BYTES // 2**20} MiB; not a "
             "retirements file")
    new = data.incoming(raw, where, today)
    setting = project.loaded.config.spec.retirements
    configured = setting not in ("bundled", "none")
    rel = setting if configured else "retirements.yaml"
    target = project.location.root / rel
    own = data.Retirements.from_file(target) if target.exists() else data.Retirements.empty()
    effective = data.Retirements.empty() if setting == "none" else data.Retirements.bundled()
    records, changes = data.update_file(own, effective.merged(own), new)
    for change in changes:
        options.out.write(f"{change}\n")
    added = sum(1 for c in changes if c.action == "added")
    changed = sum(1 for c in changes if c.action == "changed")
    kept = sum(1 for c in changes if c.action == "kept")
    write_atomic(target, data.render_file(records, today))
    options.out.write(f"{rel}: {added} added, {changed} changed, {kept} kept over a "
                      f"lower-ranked day; {len(records)} records\n")
    if not configured:
        options.out.say(f"aireg: {rel} is not used yet: set `retirements: {rel}` under spec in "
                        "aireg.yaml (the bundled data stays in use beside it)")


COMMANDS = (retirements,)
