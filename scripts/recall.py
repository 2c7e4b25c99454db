#!/usr/bin/env python3
"""How many sample pins each tool dates correctly: aireg's lookup, and the peers' own
matching over their own data where their package is available as a wheel.

    python scripts/recall.py [--peers DIR]

A pin is *dated* when the tool gives the day in scripts/recall_pins.yaml; a *false match*
is a day for a pin whose day is unknown, or a wrong day. Peers' wheels are read from
--peers (as build_retirements.py downloads them) and never installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.retirements import Retirements  # noqa: E402

PINS = ROOT / "scripts" / "recall_pins.yaml"


def aireg_day(platform: str, pin: str) -> dt.date | None:
    record = Retirements.bundled().lookup(platform, pin)
    return record.sunset if record else None


def bydtech_days(wheel: Path) -> dict[str, dt.date | None]:
    """bydtech-model-retire's own Matcher over its own models.json, per pin string."""
    scratch = Path(tempfile.mkdtemp())
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(scratch)
    sys.path.insert(0, str(scratch))
    data = importlib.import_module("model_retire.data")
    match = importlib.import_module("model_retire.match")
    matcher = match.Matcher(data.default_dataset()["models"])
    out: dict[str, dt.date | None] = {}
    for item in yaml.safe_load(PINS.read_text("utf-8"))["pins"]:
        found = matcher.find_in_line(item["pin"])
        days = [e.get("retires_on") for m in found for e in matcher.entries_for(m.match)]
        days = [d for d in days if d]
        out[item["pin"]] = dt.date.fromisoformat(min(days)) if days else None
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peers", type=Path, help="folder with the peers' wheels")
    args = parser.parse_args()
    pins = yaml.safe_load(PINS.read_text("utf-8"))["pins"]
    known = [p for p in pins if p["day"] is not None]
    tools = {"aireg": {p["pin"]: aireg_day(p["platform"], p["pin"]) for p in pins}}
    if args.peers is not None:
        wheels = sorted(args.peers.glob("bydtech_model_retire-*.whl"))
        if wheels:
            tools["bydtech-model-retire"] = bydtech_days(wheels[-1])
    print(f"{len(pins)} pins, {len(known)} with a known shutdown day")
    for name, days in tools.items():
        right = sum(1 for p in known if days[p["pin"]] == p["day"])
        wrong = sum(1 for p in pins if days[p["pin"]] is not None and days[p["pin"]] != p["day"])
        print(f"{name}: dated {right} of {len(known)} ({100 * right // len(known)}%), "
              f"false or wrong days {wrong}")
        for p in known:
            if days[p["pin"]] != p["day"]:
                print(f"    missed {p['platform']} {p['pin']}: {days[p['pin']]} != {p['day']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
