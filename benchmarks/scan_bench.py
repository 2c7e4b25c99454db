"""The scan row of benchmarks/run.py: `aireg scan` over a generated application repository
against a plain Python loop that reads every file of the same tree once (what ripgrep-style
reading costs in Python: walk, open, read; vendored folders pruned the same way)."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

READ_LOOP = """
import os, sys
SKIP = {".git", "node_modules", ".venv", "dist", "build", "__pycache__"}
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if d not in SKIP]
    for name in files:
        with open(os.path.join(folder, name), "rb") as stream:
            stream.read()
"""

PY = '''"""Module {n}: handlers for the {area} service."""

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class Request{n}:
    user_id: int
    text: str
    retries: int = 3


def handle_{n}(request: Request{n}) -> dict[str, object]:
    """Validate, enrich and route one request."""
    if not request.text.strip():
        raise ValueError("empty request")
    log.info("handling %s for %s", request.text[:20], request.user_id)
    result = {{"user": request.user_id, "length": len(request.text), "area": "{area}"}}
    for attempt in range(request.retries):
        result[f"attempt_{{attempt}}"] = attempt * {n}
    return result
'''
TS = '''import {{ z }} from "zod";

export const Schema{n} = z.object({{
  id: z.number(), title: z.string(), tags: z.array(z.string()),
}});

export function render{n}(items: Array<z.infer<typeof Schema{n}>>): string {{
  return items
    .filter((item) => item.tags.includes("{area}"))
    .map((item) => `<li data-id="${{item.id}}">${{item.title}}</li>`)
    .join("\\n");
}}
'''
USES = ['MODEL = "gpt-4.1-2025-04-14"\n', 'MODEL = "claude-opus-4-8"\n',
        'MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"\n', 'MODEL = "gemini-2.5-pro"\n']
CONFIG = """apiVersion: aireg/v1
kind: Registry
metadata: {name: bench-app}
spec: {include: ["registry/**/*.yaml"]}
"""


def generate_app(files: int, root: Path) -> None:
    """`files` source files (Python, TypeScript, JSON, YAML, Markdown), one in twenty using
    a model id, and a vendored node_modules of a tenth as many that scan skips."""
    rng = random.Random(18)
    root.mkdir(parents=True, exist_ok=True)
    (root / "aireg.yaml").write_text(CONFIG)
    areas = ["billing", "search", "support", "auth", "reports"]
    for n in range(files):
        area = areas[n % len(areas)]
        folder = root / "src" / area / f"pkg{n // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = n % 5
        if kind in (0, 1):
            text = PY.format(n=n, area=area)
            name = f"mod{n}.py"
        elif kind == 2:
            text = TS.format(n=n, area=area)
            name = f"view{n}.ts"
        elif kind == 3:
            text = "".join(f'{{"key{i}": "value {i} of {n}", "count": {i}}}\n'
                           for i in range(30))
            name = f"data{n}.json"
        else:
            text = f"# Notes {n}\n\n" + "Plain prose about the service and its users.\n" * 40
            name = f"notes{n}.md"
        if n % 20 == 0 and name.endswith(".py"):
            text += rng.choice(USES)
        (folder / name).write_text(text)
    vendored = root / "node_modules" / "lib"
    vendored.mkdir(parents=True, exist_ok=True)
    for n in range(files // 10):
        (vendored / f"v{n}.js").write_text(TS.format(n=n, area="vendored"))


def measure_scan(files: int, runs: int, work: Path, command: list[str]) -> dict[str, float]:
    root = work / f"app-{files}"
    if not (root / "aireg.yaml").exists():
        print(f"generating {files} source files in {root} ...", file=sys.stderr)
        generate_app(files, root)
    # In turn, round after round: load that comes and goes on a shared machine then falls
    # on the loop and the scan alike, and the ratio stays a ratio within one run.
    seconds = interleaved(root, {"loop": [sys.executable, "-c", READ_LOOP, str(root)],
                                 "scan": [*command, "scan", "--format", "json"],
                                 "python": [sys.executable, "-c", "pass"]}, runs)
    loop, scan, python = (seconds[name]["seconds"] for name in ("loop", "scan", "python"))
    subprocess.run([*command, "scan"], cwd=root, stdout=subprocess.DEVNULL, check=False)
    print(f"  scan of {files} files              {scan:8.3f} s   {scan / loop:6.3f} x the read "
          f"loop ({loop:.3f} s; python start {python:.3f} s)", file=sys.stderr)
    return {"files": files, "scanSeconds": round(scan, 3), "readLoopSeconds": round(loop, 3),
            "ratio": round(scan / loop, 3)}



def interleaved(root: Path, commands: dict[str, list[str]], runs: int) -> dict[str, Any]:
    """Each command run in turn, `runs` rounds: on a shared machine, load that comes and goes
    over minutes then falls on all of them alike. The median wall and CPU seconds (the
    process and its children: CPU is less disturbed by the load) of each."""
    import resource
    import statistics
    import time

    from run import ENV

    seconds: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    for _ in range(runs + 1):  # the first round warms up
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, cwd=root, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False, env=ENV)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds[name][0].append(wall)
            seconds[name][1].append(after.ru_utime + after.ru_stime - before.ru_utime -
                                    before.ru_stime)
    return {name: {"seconds": round(statistics.median(wall[1:]), 3),
                   "cpuSeconds": round(statistics.median(cpu[1:]), 3)}
            for name, (wall, cpu) in seconds.items()}


def main() -> None:
    """The scan row alone: `python benchmarks/scan_bench.py [--files 10000] [--runs 5]`;
    with `--against PATH` (another installation's aireg), the read loop, that aireg's scan
    and this one's run in turn instead, each round all three."""
    import argparse
    import json

    from run import aireg

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--against", help="another aireg to compare with, run in turn")
    args = parser.parse_args()
    work = args.work.resolve()
    if args.against is None:
        print(json.dumps(measure_scan(args.files, args.runs, work, aireg())))
        return
    root = work / f"app-{args.files}"
    if not (root / "aireg.yaml").exists():
        generate_app(args.files, root)
    scan = ["scan", "--format", "json"]
    print(json.dumps(interleaved(root, {"readLoop": [sys.executable, "-c", READ_LOOP, str(root)],
                                        "against": [args.against, *scan],
                                        "scan": [*aireg(), *scan]}, args.runs)))


if __name__ == "__main__":
    main()
