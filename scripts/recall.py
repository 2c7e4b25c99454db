#!/usr/bin/env python3
"""Recall of `aireg deprecations` and of each peer scanner on the sample pins.

    python scripts/recall.py --peers DIR [--python NAME=PYTHON] [--today YYYY-MM-DD]

The sample is scripts/recall_pins.yaml: Model pins in the spellings teams use, each with
the shutdown day it is known to have (or none). The script writes them as a registry (one
Model per file, `models/pin-NN.yaml`, the same registry tests/test_recall.py builds) into
a temporary git repository, then asks every tool for a day per pin:

* aireg: the real `aireg deprecations --format json` on that registry. A `not-before` row
  claims no shutdown day, so it counts as no day.
* each peer (scripts/peer_data.PEERS): its own matching over its own bundled data, on the
  same files. The wheel in DIR (`pip download NAME==VERSION --no-deps`; foretop-ebb needs
  `--python-version 3.12 --only-binary=:all:`) is unpacked into a scratch folder and put on
  sys.path of a separate interpreter; nothing is installed. A peer that declares a newer
  Python than the one running it is run with `--python NAME=PATH`, or reported as not run,
  with the reason; so is one whose imports or run fail.

A pin is *dated* when the tool gives exactly its known day; the tool's day is the earliest
it reports for the pin's file. A *wrong day* is any other day for a pin with a known day; a
*false day* is a day for a pin whose shutdown is not known. The table is Markdown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "scripts"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import peer_data  # noqa: E402

PINS = ROOT / "scripts" / "recall_pins.yaml"
TODAY = dt.date(2026, 12, 1)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Recall", "GIT_AUTHOR_EMAIL": "recall@example.com",
    "GIT_COMMITTER_NAME": "Recall", "GIT_COMMITTER_EMAIL": "recall@example.com",
    "GIT_AUTHOR_DATE": "2026-12-01T12:00:00Z", "GIT_COMMITTER_DATE": "2026-12-01T12:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
}


@dataclass(frozen=True)
class Pin:
    name: str  # metadata.name of its Model, and its file models/NAME.yaml
    platform: str
    model_id: str
    revision: str | None
    day: dt.date | None  # the known shutdown day, or None
    origin: str | None  # where the day comes from


def load_pins(path: Path = PINS) -> list[Pin]:
    pins = []
    for index, raw in enumerate(yaml.safe_load(path.read_text("utf-8"))["pins"], start=1):
        day = raw.get("day")
        if day is not None and not isinstance(day, dt.date):
            raise SystemExit(f"{path}: pins[{index - 1}]: day {day!r} is not YYYY-MM-DD")
        pins.append(Pin(f"pin-{index:02d}", raw["platform"], str(raw["pin"]),
                        str(raw["revision"]) if raw.get("revision") else None, day,
                        raw.get("from")))
    return pins


def registry_files(pins: Sequence[Pin]) -> dict[str, str]:
    """The sample registry: aireg.yaml, one Team and one Model file per pin."""
    files = {
        "aireg.yaml": "apiVersion: aireg/v1\nkind: Registry\nmetadata:\n  name: recall\n",
        "teams/platform.yaml": ("apiVersion: aireg/v1\nkind: Team\nmetadata: {name: platform}\n"
                                "spec: {members: [maria]}\n"),
    }
    for pin in pins:
        revision = f"  revision: {json.dumps(pin.revision)}\n" if pin.revision else ""
        files[f"models/{pin.name}.yaml"] = (
            "apiVersion: aireg/v1\nkind: Model\nmetadata:\n"
            f"  name: {pin.name}\n  owner: team/platform\nspec:\n"
            f"  provider: {pin.platform}\n  modelId: {json.dumps(pin.model_id)}\n{revision}")
    return files


def write_registry(root: Path, pins: Sequence[Pin]) -> None:
    for rel, text in registry_files(pins).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def aireg_found(report: Mapping[str, Any]) -> dict[str, tuple[dt.date, str]]:
    """Pin name -> (day, dateKind) of each Model row of `aireg deprecations --format json`."""
    out = {}
    for row in report["deadlines"]:
        if row["kind"] == "Model":
            out[row["id"].removeprefix("model/")] = (dt.date.fromisoformat(row["sunset"]),
                                                     row["dateKind"])
    return out


def aireg_days(root: Path, today: dt.date) -> dict[str, list[dt.date | None]]:
    """aireg's shutdown day per pin, from the real command on the registry at `root`."""
    command = [sys.executable, "-c", "from cli.main import console; console()",
               "--today", today.isoformat(), "-C", str(root), "deprecations", "--format", "json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "AIREG_NO_CACHE": "1"}, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"aireg deprecations failed ({done.returncode}): {done.stderr}")
    return {name: [None if kind == "not-before" else day]
            for name, (day, kind) in aireg_found(json.loads(done.stdout)).items()}


# --- the peers' own matching, each in an interpreter of its own ------------------------

# Each driver gets argv: the unpacked wheel, the registry, {pin name: platform}; it prints
# {relative file: [days reported there, null for a finding without a day]}.
_PRELUDE = """\
import json, sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[1])
root = Path(sys.argv[2])
platforms = json.loads(sys.argv[3])
out = {}
def found(rel, day):
    out.setdefault(str(rel).replace("\\\\", "/"), []).append(day)
"""
DRIVERS: dict[str, str] = {
    # model_retire.scan.scan: its Matcher (exact ids and aliases) over its models.json.
    "bydtech-model-retire": """\
from model_retire.scan import scan
for f in scan(paths=["."], cwd=str(root), today="{today}")["findings"]:
    found(f["file"], f["retires_on"])
""",
    # Its bundled snapshot (offline: no feed), and the provider option a user of each
    # platform passes: Azure, Vertex and Bedrock are left out unless asked for.
    "llm-sunset": """\
from llm_sunset.data import load
from llm_sunset.scanner import Matcher, scan_file
deprecations, where = load(offline=True)
assert where == "bundled snapshot", where
option = {{"azure-openai": ["azure"], "vertex-ai": ["google vertex"], "bedrock": ["bedrock"]}}
for name, platform in platforms.items():
    matcher = Matcher(deprecations, option.get(platform))
    for f in scan_file(root / "models" / (name + ".yaml"), matcher):
        day = f.deprecation.shutdown_date
        found("models/" + name + ".yaml", day and day.isoformat())
""",
    # depdesk.scan.scan with its bundled catalog; a hit has the entry's retires_on (its
    # earliest_retirement is a floor, not a shutdown day).
    "depdesk": """\
from depdesk.catalog import load
from depdesk.scan import scan
catalog = load()
entries = catalog.by_id
for hit in scan([root], catalog).hits:
    day = entries[hit.identifier].retires_on
    found(hit.path.resolve().relative_to(root.resolve()), day and day.isoformat())
""",
    # ebb's own pipeline (walk, detect, canonicalize, resolve) over its registries.
    "foretop-ebb": """\
from ebb.build_findings import build_findings
from ebb.registry.loader import load_registry
data = Path(sys.argv[1]) / "ebb" / "registries" / "retirements"
registry = load_registry(sorted(data.glob("*.yaml")))
for f in build_findings(root.resolve(), registry):
    found(f.evidence[0].source_uri, f.deadline and f.deadline.isoformat())
""",
}


@dataclass(frozen=True)
class PeerRun:
    name: str
    version: str
    how: str
    days: dict[str, list[dt.date | None]] | None = None
    problem: str | None = None  # why it did not run


def requires_python(wheel: Path) -> str | None:
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.endswith(".dist-info/METADATA"):
                metadata = HeaderParser().parsestr(archive.read(member).decode("utf-8"))
                value = metadata.get("Requires-Python")
                return str(value) if value else None
    return None


def python_version(python: str) -> str:
    done = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


def run_peer(peer: peer_data.Peer, wheel: Path | None, root: Path, pins: Sequence[Pin],
             python: str, today: dt.date) -> PeerRun:
    how = {"bydtech-model-retire": "model_retire.scan over its models.json",
           "llm-sunset": "llm_sunset.scanner over its snapshot.json, --provider per platform",
           "depdesk": "depdesk.scan over its data/catalog.json",
           "foretop-ebb": "ebb.build_findings over its registries/retirements"}[peer.name]
    if wheel is None:
        return PeerRun(peer.name, peer.version, how,
                       problem=f"no {peer_data.wheel_name(peer)} in the peers folder")
    from packaging.specifiers import SpecifierSet

    needed = requires_python(wheel)
    version = python_version(python)
    if needed and version not in SpecifierSet(needed):
        return PeerRun(peer.name, peer.version, how, problem=(
            f"it requires Python {needed} and {python} is {version}; pass --python "
            f"{peer.name}=PATH to a Python {needed} with its imports"))
    with tempfile.TemporaryDirectory() as scratch:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(scratch)
        driver = _PRELUDE + DRIVERS[peer.name].format(today=today.isoformat()) + \
            "print(json.dumps(out))\n"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DEPDESK_CATALOG")}
        done = subprocess.run(
            [python, "-I", "-c", driver, scratch, str(root),
             json.dumps({p.name: p.platform for p in pins})],
            cwd=root, capture_output=True, text=True, check=False, timeout=600,
            env={**env, "HOME": scratch, "XDG_CACHE_HOME": scratch})
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return PeerRun(peer.name, peer.version, how,
                       problem=f"its matcher failed on Python {version}: {last}")
    by_file = json.loads(done.stdout)
    days = {p.name: [None if d is None else dt.date.fromisoformat(d)
                     for d in by_file.get(f"models/{p.name}.yaml", [])] for p in pins}
    return PeerRun(peer.name, peer.version, how, days=days)


# --- scoring ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Score:
    dated: list[Pin]
    wrong: list[tuple[Pin, dt.date]]
    false: list[tuple[Pin, dt.date]]
    missed: list[Pin]


def score(pins: Sequence[Pin], days: Mapping[str, Sequence[dt.date | None]]) -> Score:
    dated, wrong, false, missed = [], [], [], []
    for pin in pins:
        given = [d for d in days.get(pin.name, []) if d is not None]
        day = min(given) if given else None
        if pin.day is None:
            if day is not None:
                false.append((pin, day))
        elif day == pin.day:
            dated.append(pin)
        elif day is None:
            missed.append(pin)
        else:
            wrong.append((pin, day))
    return Score(dated, wrong, false, missed)


def _spelling(pin: Pin) -> str:
    return f"{pin.platform} `{pin.model_id}`" + (f" revision {pin.revision}"
                                                  if pin.revision else "")


def report(pins: Sequence[Pin], aireg: Mapping[str, Sequence[dt.date | None]],
           peers: Sequence[PeerRun], verbose: bool, where: str = PINS.name) -> str:
    known = sum(1 for p in pins if p.day is not None)
    lines = [f"{len(pins)} sample pins from {where}, {known} with a known shutdown day.", "",
             "| tool | pins dated | wrong day | day for a pin with none known | how it ran |",
             "|---|---|---|---|---|"]
    rows: list[tuple[str, str, Score | None, str | None]] = [
        ("aireg (this checkout)", "`aireg deprecations --format json` on the registry",
         score(pins, aireg), None)]
    for run in peers:
        rows.append((f"{run.name} {run.version}", run.how,
                     score(pins, run.days) if run.days is not None else None, run.problem))
    for tool, how, result, problem in rows:
        if result is None:
            lines.append(f"| {tool} | – | – | – | did not run: {problem} |")
            continue
        percent = 100 * len(result.dated) // known if known else 0
        lines.append(f"| {tool} | {len(result.dated)} of {known} ({percent}%) | "
                     f"{len(result.wrong)} | {len(result.false)} | {how} |")
    if verbose:
        for tool, _, result, _ in rows:
            if result is None:
                continue
            lines.append("")
            lines.append(f"{tool}:")
            if not (result.missed or result.wrong or result.false):
                lines.append("  every pin with a known day dated, no other")
            lines.extend(f"  no day for {_spelling(p)} (known {p.day})" for p in result.missed)
            lines.extend(f"  wrong day {d} for {_spelling(p)} (known {p.day})"
                         for p, d in result.wrong)
            lines.extend(f"  day {d} for {_spelling(p)}, whose shutdown is not known"
                         for p, d in result.false)
    return "\n".join(lines)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", type=Path, required=True,
                        help="the folder holding the peers' wheels")
    parser.add_argument("--python", action="append", default=[], metavar="NAME=PATH",
                        help="the interpreter for one peer (default: this one)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=TODAY)
    parser.add_argument("--pins", type=Path, default=PINS)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    pythons = dict(item.split("=", 1) for item in args.python)
    pins = load_pins(args.pins)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "registry"
        root.mkdir()
        _git(root, "init", "-q", "-b", "main")
        write_registry(root, pins)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "the sample pins")
        aireg = aireg_days(root, args.today)
        runs = []
        for peer in peer_data.PEERS:
            wheel = args.peers / peer_data.wheel_name(peer)
            runs.append(run_peer(peer, wheel if wheel.exists() else None, root, pins,
                                 pythons.get(peer.name, sys.executable), args.today))
    print(report(pins, aireg, runs, args.verbose, args.pins.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
