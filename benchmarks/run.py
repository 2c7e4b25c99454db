"""Time aireg on a synthetic registry, as ratios to the parse limit measured in the same run.

    python benchmarks/run.py [--size 20000] [--runs 5] [--large 100000]
                             [--work benchmarks/out] [--out benchmarks/results.json]

Every case runs as a whole `aireg` process, once to warm up, then --runs times; the median is
kept. The baseline ("the parse limit") is a process that reads the same YAML files and parses
them with PyYAML's CSafeLoader and nothing else. Ratios are what count: these machines are
shared and noisy, so absolute seconds are printed for reference only. Peak memory (max RSS) is
measured for the cold check, the first bom (`--no-cache`: nothing parsed or replayed from a
cache), a new impact and a first impact --base. The "new" rows ask questions no stored output
answers (every output is dropped before each run), so the snapshot does; the "warm" rows
replay a stored output. The first impact --base is timed twice: with both revisions checked
before (their snapshots kept, as on a branch of a checked main), and with the base never
checked. The scale row times the cold check at --large declarations in pairs with the cold
check at --size, and against the parse limit there, then the first bom there once, with its
peak memory (`--large 0` leaves it out).
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

TARGETS: dict[str, float | None] = {  # case -> the target ratio to the parse limit
    "cold check": 1.4,
    "new impact prompt/p7 (leaf)": 0.15,
    "new impact prompt/fragment-0 (most shared)": 0.20,
    "new deps feature/f3": 0.15,
    "first impact --base HEAD~1 --head HEAD": 0.5,
    "first impact --base, base never checked": None,
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
    return timed_peak(command, cwd)[1]


def timed_peak(command: list[str], cwd: Path) -> tuple[float, float]:
    """The seconds and the max RSS (MB, the kernel's accounting) of one run."""
    code = (f"import resource, subprocess, time; start = time.perf_counter(); "
            f"subprocess.run({command!r}, cwd={str(cwd)!r}, "
            "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(time.perf_counter() - start, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, rss = out.stdout.split()
    return float(seconds), int(rss) / 1024


def forget_outputs(repo: Path, keep_snapshots: set[str] | None = None) -> list[str]:
    """A command that drops every stored output (nothing is replayed: a new question) and,
    with `keep_snapshots`, every snapshot but those; parsed files stay cached."""
    folder = repo / ".git" / "aireg"
    code = (f"import sqlite3, pathlib; db = sqlite3.connect({str(folder / 'cache.sqlite3')!r}); "
            "db.execute('DELETE FROM results'); db.commit()")
    if keep_snapshots is not None:
        code += (f"\nfor p in pathlib.Path({str(folder / 'snapshots')!r}).iterdir():\n"
                 f"    p.name in {sorted(keep_snapshots)!r} or p.unlink()")
    return [sys.executable, "-c", code]


def snapshots(repo: Path) -> set[str]:
    folder = repo / ".git" / "aireg" / "snapshots"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


# Waits (up to a minute) until no process holds a file of the folder open: the console
# script leaves its cache and snapshot writers to finish after it ends.
_UNUSED = """
import os, sys, time
folder = sys.argv[1]
deadline = time.monotonic() + 60
def held():
    for pid in os.listdir("/proc"):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}").startswith(folder)
                   for fd in os.listdir(f"/proc/{pid}/fd")):
                return True
        except OSError:
            continue
    return False
while os.path.isdir("/proc") and held() and time.monotonic() < deadline:
    time.sleep(0.1)
"""


def writers_done(repo: Path) -> list[str]:
    return [sys.executable, "-c", _UNUSED, str(repo / ".git" / "aireg")]


def clear_cache(repo: Path) -> list[str]:
    return [sys.executable, "-c", f"{_UNUSED}\nimport shutil; shutil.rmtree(folder, "
            "ignore_errors=True)", str(repo / ".git" / "aireg")]


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

    def case(name: str, args: list[str], cold: bool = False,
             before: list[str] | None = None) -> None:
        median, _ = timed([*cmd, *args], repo, runs, before=clear_cache(repo) if cold else before,
                          warm_up=not cold)
        rows[name] = {"seconds": round(median, 3), "ratio": round(median / limit, 3)}
        print(f"  {name:<44} {median:8.3f} s   {median / limit:6.3f} x", file=sys.stderr)

    print(f"parse limit: {limit:.3f} s", file=sys.stderr)
    case("cold check", ["check"], cold=True)
    # New questions: no stored output is replayed (each run drops them all first); the
    # snapshot the cold check left answers.
    subprocess.run(writers_done(repo), check=True)  # the cold check's snapshot and output
    new = forget_outputs(repo)
    case("new impact prompt/p7 (leaf)", ["impact", "prompt/p7"], before=new)
    case("new impact prompt/fragment-0 (most shared)", ["impact", "prompt/fragment-0"],
         before=new)
    case("new deps feature/f3", ["deps", "feature/f3"], before=new)
    # The first comparison. As a pull request's usually is: each revision checked once
    # before (CI checks main as it moves; a branch starts from a checked main), so both
    # snapshots are kept, but no output. Then with the base never checked: only the
    # working tree's snapshot kept (the cold check's; at HEAD, it is HEAD's too).
    first_base = ["impact", "--base", "HEAD~1", "--head", "HEAD"]
    head_only = snapshots(repo)
    subprocess.run([*cmd, "--rev", "HEAD~1", "check"], cwd=repo, stdout=subprocess.DEVNULL,
                   check=False, env=ENV)
    subprocess.run(writers_done(repo), check=True)  # its snapshot, written by a child
    case("first impact --base HEAD~1 --head HEAD", first_base,
         before=forget_outputs(repo, snapshots(repo)))
    case("first impact --base, base never checked", first_base,
         before=forget_outputs(repo, head_only))
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
    subprocess.run(writers_done(repo), check=True)
    peaks = {"check (cold)": memory, "bom (first)": bom_memory}
    subprocess.run(forget_outputs(repo), check=True)
    peaks["impact prompt/fragment-0 (new)"] = peak_memory_mb(
        [*cmd, "impact", "prompt/fragment-0"], repo)
    head_only = snapshots(repo)
    subprocess.run([*cmd, "--rev", "HEAD~1", "check"], cwd=repo, stdout=subprocess.DEVNULL,
                   check=False, env=ENV)
    subprocess.run(writers_done(repo), check=True)
    subprocess.run(forget_outputs(repo, snapshots(repo)), check=True)
    peaks["impact --base HEAD~1 --head HEAD (first)"] = peak_memory_mb([*cmd, *first_base], repo)
    subprocess.run(forget_outputs(repo, head_only), check=True)
    peaks["impact --base (first, base never checked)"] = peak_memory_mb([*cmd, *first_base],
                                                                        repo)
    for name, mb in peaks.items():
        print(f"  peak memory, {name:<38} {mb:8.1f} MB", file=sys.stderr)
    return {"size": size, "parseLimitSeconds": round(limit, 3), "cases": rows,
            "versionOverPythonMs": round((version - python) * 1000, 1),
            "coldCheckPeakMB": round(memory, 1), "firstBomPeakMB": round(bom_memory, 1),
            "peakMB": {name: round(mb, 1) for name, mb in peaks.items()}}


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
          f"(paired runs), {big / limit:.2f} x its parse limit {limit:.3f} s "
          f"({limit / small_limit:.2f} x the {size}'s)", file=sys.stderr)
    subprocess.run(clear_cache(repo), check=True)
    peak = peak_memory_mb([*aireg(), "check"], repo)
    # The first BOM of the whole registry, nothing cached: once (it is the longest run).
    bom, bom_peak = timed_peak([*aireg(), "--no-cache", "bom", "-o", os.devnull], repo)
    print(f"  {large} declarations: first bom {bom:.3f} s, {bom / limit:.2f} x its parse "
          f"limit, peak {bom_peak:.1f} MB", file=sys.stderr)
    return {"size": large, "coldCheckSeconds": round(big, 3), "ratioToBase": round(ratio, 2),
            "coldCheckRatio": round(big / limit, 3),
            "parseLimitSeconds": round(limit, 3),
            "parseLimitRatio": round(limit / small_limit, 2),
            "peakMB": round(peak, 1), "firstBomSeconds": round(bom, 3),
            "firstBomRatio": round(bom / limit, 3), "firstBomPeakMB": round(bom_peak, 1)}


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
        result["scan"] = measure_scan(args.scan_files, args.runs, args.work, aireg())
    result["targets"] = {**TARGETS, "versionOverPythonMs": 60, "coldCheckPeakMB": 400,
                         "firstBomPeakMB": 400, "peakMB (any command)": 400,
                         "large ratioToBase": 5.5, "large coldCheckRatio": 1.2,
                         "large peakMB": 2048, "large firstBomPeakMB": 2048,
                         "scan ratio": 1.5}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
