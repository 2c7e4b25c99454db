"""Time aireg on a synthetic registry, as ratios to the parse limit measured in the same run.

    python benchmarks/run.py [--size 20000] [--runs 5] [--large 100000]
                             [--work benchmarks/out] [--out benchmarks/results.json]

Every case runs as a whole `aireg` process, once to warm up, then --runs times; the median is
kept. The baseline ("the parse limit") is a process that reads the same YAML files and parses
them with PyYAML's CSafeLoader and nothing else. Ratios are what count: these machines are
shared and noisy, so absolute seconds are printed for reference only. Peak memory (max RSS) is
measured for the cold check and for the first bom (`--no-cache`: nothing parsed or replayed
from a cache). The scale row times the cold check at --large declarations in
pairs with the cold check at --size (`--large 0` leaves it out).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from scan_bench import measure_scan  # noqa: E402

PARSE_LIMIT = """
import os, sys, yaml
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if d != ".git"]
    for name in files:
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), "rb") as stream:
                list(yaml.load_all(stream.read(), Loader=yaml.CSafeLoader))
"""

TARGETS = {  # case -> the target ratio to the parse limit (SPEC issue: scale)
    "cold check": 1.4,
    "warm check": 0.20,
    "warm impact --base HEAD~1": 0.25,
    "warm impact prompt/fragment-0": 0.15,
    "warm bom": 1.0,
    "first bom (nothing cached)": 1.5,
}


def aireg() -> list[str]:
    found = shutil.which("aireg", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "cli.main"]


# Processes run as an installed aireg runs: with Python's bytecode cache (some environments
# turn it off, which would time the compilation of aireg's own modules on every run).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path, runs: int, before: list[str] | None = None,
          warm_up: bool = True) -> tuple[float, list[float]]:
    """Median seconds of `runs` runs (after one warm-up run unless told otherwise)."""
    if warm_up:
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False, env=ENV)
    times = []
    for _ in range(runs):
        if before:
            subprocess.run(before, cwd=cwd, check=True)
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False, env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def peak_memory_mb(command: list[str], cwd: Path) -> float:
    """Max RSS of one run, in MB (the child's, from the kernel's accounting)."""
    code = (f"import resource, subprocess; subprocess.run({command!r}, cwd={str(cwd)!r}, "
            "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def clear_cache(repo: Path) -> list[str]:
    return [sys.executable, "-c", f"import shutil; shutil.rmtree({str(repo / '.git' / 'aireg')!r}"
            ", ignore_errors=True)"]


def settle(repo: Path) -> None:
    """Wait until no file of a just generated registry is younger than aireg's output cache
    trusts (two seconds), as a registry in use is: the warm rows would time no cache."""
    newest = max(max(info.st_mtime, info.st_ctime) for path in repo.rglob("*")
                 if ".git" not in path.parts and (info := path.stat()))
    time.sleep(max(0.0, newest + 2.5 - time.time()))


def measure(size: int, runs: int, work: Path) -> dict[str, object]:
    repo = work / f"registry-{size}"
    if not (repo / ".git").exists():
        print(f"generating {size} declarations in {repo} ...", file=sys.stderr)
        generate(size, repo)
    settle(repo)
    cmd = aireg()
    limit, _ = timed([sys.executable, "-c", PARSE_LIMIT, str(repo)], repo, runs)
    rows: dict[str, dict[str, float]] = {}

    def case(name: str, args: list[str], cold: bool = False) -> None:
        median, _ = timed([*cmd, *args], repo, runs, before=clear_cache(repo) if cold else None,
                          warm_up=not cold)
        rows[name] = {"seconds": round(median, 3), "ratio": round(median / limit, 3)}
        print(f"  {name:<32} {median:8.3f} s   {median / limit:6.3f} x", file=sys.stderr)

    print(f"parse limit: {limit:.3f} s", file=sys.stderr)
    case("cold check", ["check"], cold=True)
    case("warm check", ["check"])
    case("warm impact --base HEAD~1", ["impact", "--base", "HEAD~1"])
    case("warm impact prompt/fragment-0", ["impact", "prompt/fragment-0"])
    case("warm bom", ["bom", "-o", os.devnull])
    # Both caches off: the parse, the mapping, serialization and validation, every time.
    first_bom = ["--no-cache", "bom", "-o", os.devnull]
    case("first bom (nothing cached)", first_bom)
    python, _ = timed([sys.executable, "-c", "pass"], repo, runs)
    version, _ = timed([*cmd, "--version"], repo, runs)
    subprocess.run(clear_cache(repo), check=True)
    memory = peak_memory_mb([*cmd, "check"], repo)
    bom_memory = peak_memory_mb([*cmd, *first_bom], repo)
    return {"size": size, "parseLimitSeconds": round(limit, 3), "cases": rows,
            "versionOverPythonMs": round((version - python) * 1000, 1),
            "coldCheckPeakMB": round(memory, 1), "firstBomPeakMB": round(bom_memory, 1)}


def measure_large(large: int, size: int, runs: int, work: Path) -> dict[str, float]:
    """The cold check at `large` declarations as a multiple of the cold check at `size`.

    The machines are noisy in phases lasting minutes, so the two sizes are timed in pairs,
    one right after the other, and the median of the pairs' ratios is kept; the parse
    limit at the large size is timed first, once (it also brings every file into the
    operating system's file cache, as the parse limit does for the small size)."""
    repo = work / f"registry-{large}"
    small = work / f"registry-{size}"
    if not (repo / ".git").exists():
        print(f"generating {large} declarations in {repo} ...", file=sys.stderr)
        generate(large, repo)
    settle(repo)
    limit, _ = timed([sys.executable, "-c", PARSE_LIMIT, str(repo)], repo, 1, warm_up=False)
    small_limit, _ = timed([sys.executable, "-c", PARSE_LIMIT, str(small)], small, 1,
                           warm_up=False)
    pairs = []
    for _ in range(max(1, min(runs, 3))):
        base, _ = timed([*aireg(), "check"], small, 1, before=clear_cache(small),
                        warm_up=False)
        big, _ = timed([*aireg(), "check"], repo, 1, before=clear_cache(repo), warm_up=False)
        pairs.append((big, base))
    ratio = statistics.median(big / base for big, base in pairs)
    big = statistics.median(big for big, _ in pairs)
    print(f"  {large} declarations: cold check {big:.3f} s, {ratio:.2f} x the {size} "
          f"(paired runs); parse limit {limit:.3f} s, {limit / small_limit:.2f} x",
          file=sys.stderr)
    subprocess.run(clear_cache(repo), check=True)
    return {"size": large, "coldCheckSeconds": round(big, 3), "ratioToBase": round(ratio, 2),
            "parseLimitSeconds": round(limit, 3),
            "parseLimitRatio": round(limit / small_limit, 2),
            "peakMB": round(peak_memory_mb([*aireg(), "check"], repo), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large", type=int, default=100000,
                        help="the size of the scale row's cold check (0 to leave it out)")
    parser.add_argument("--scan-files", type=int, default=10000,
                        help="the size of the scan row's application tree (0 to leave it out)")
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    result = measure(args.size, args.runs, args.work)
    if args.large:
        result["large"] = measure_large(args.large, args.size, args.runs, args.work)
    if args.scan_files:
        result["scan"] = measure_scan(args.scan_files, args.runs, args.work, timed, aireg())
    result["targets"] = {**TARGETS, "versionOverPythonMs": 60, "coldCheckPeakMB": 400,
                         "firstBomPeakMB": 400,
                         "large ratioToBase": 5.5, "large peakMB": 2048, "scan ratio": 1.5}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
