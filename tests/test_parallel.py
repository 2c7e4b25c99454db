"""A large registry is read and parsed on two cores; the answer must be the one a single
process gives, findings and positions included, from a folder and from git alike."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, TEAM, GitRepo, Run

import registry.cache
import registry.fork
import registry.load
import registry.root

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="parallel loads need fork")


def dataset(name: str, extra: str = "") -> str:
    return (f"apiVersion: aireg/v1\nkind: Dataset\nmetadata:\n  name: {name}\n  version: 1.0.0\n"
            f"  owner: team/platform\nspec:\n  license: MIT\n{extra}")


def files() -> dict[str, str | bytes]:
    """Forty files, with problems spread over both halves of the listing."""
    found: dict[str, str | bytes] = {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM}
    for number in range(40):
        found[f"data/d{number:02}.yaml"] = dataset(f"d{number:02}")
    found["data/d05.yaml"] = dataset("d05", "  records: many\n")  # a schema finding
    found["data/d31.yaml"] = "apiVersion: aireg/v1\nkind: [unclosed\n"  # a syntax error
    found["data/d33.yaml"] = b"apiVersion: aireg/v1\nkind: Dataset\nmetadata: caf\xe9\n"
    found["data/d35.yaml"] = dataset("d35", "  retention: {until: 2026-01-01}\n")
    return found


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch, aireg: Run) -> Callable[..., tuple[str, str]]:
    """Run a command twice: in one process, then with the load shared with a child."""

    def run(*args: str) -> tuple[str, str]:
        monkeypatch.setattr(registry.load, "PARALLEL_FILES", 10**9)
        single = aireg(*args)
        monkeypatch.setattr(registry.load, "PARALLEL_FILES", 2)
        shared = aireg(*args)
        assert (shared.code, shared.err) == (single.code, single.err)
        return single.out, shared.out

    return run


def test_a_folder_loads_the_same_on_two_cores(make_registry: Callable[..., Path],
                                              both: Callable[..., tuple[str, str]]) -> None:
    root = make_registry(files(), team=False)
    single, shared = both("--today", "2026-11-21", "-C", str(root), "check", "--format",
                          "json")
    assert shared == single
    assert '"rule": "yaml-syntax"' in single and '"rule": "schema"' in single


def test_git_loads_the_same_on_two_cores(git_repo: GitRepo,
                                         both: Callable[..., tuple[str, str]]) -> None:
    git_repo.commit("forty files", files())
    single, shared = both("--today", "2026-11-21", "-C", str(git_repo.root), "--rev", "HEAD",
                          "check", "--format", "json")
    assert shared == single


def test_show_yaml_reads_again_what_the_child_parsed(
        make_registry: Callable[..., Path], both: Callable[..., tuple[str, str]]) -> None:
    root = make_registry(files(), team=False)
    single, shared = both("-C", str(root), "show", "dataset/d39", "--format", "yaml")
    assert shared == single
    assert single.startswith("# data/d39.yaml:1\napiVersion: aireg/v1\n")


def test_the_cache_is_filled_from_both_halves(
        git_repo: GitRepo, aireg: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    git_repo.commit("forty files", files())
    monkeypatch.delenv("AIREG_NO_CACHE", raising=False)
    monkeypatch.setattr(registry.cache, "FRESH_SECONDS", 0.0)
    monkeypatch.setattr(registry.load, "PARALLEL_FILES", 2)
    first = aireg("--today", "2026-11-21", "-C", str(git_repo.root), "--no-cache", "check")
    aireg("--today", "2026-11-21", "-C", str(git_repo.root), "check")
    cache = registry.cache.Cache.open(git_repo.root)
    assert cache is not None
    stored = cache.db.execute("SELECT count(*) FROM parsed").fetchone()[0]
    # Every file that loaded cleanly (37 datasets and the team) is kept, whichever half read
    # it; the three with a schema, syntax or encoding problem are not.
    assert stored == 38
    # A load that finds them all in the cache gives the same answer.
    (git_repo.root / "data" / "d00.yaml").touch()
    os.utime(git_repo.root / "data" / "d00.yaml", (1, 1))
    assert aireg("--today", "2026-11-21", "-C", str(git_repo.root), "check") == first


def test_a_process_with_other_threads_loads_on_one_core(
        make_registry: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    root = make_registry(files(), team=False)
    monkeypatch.setattr(registry.load, "PARALLEL_FILES", 2)

    def no_fork() -> int:
        raise AssertionError("forked with another thread running")

    monkeypatch.setattr(registry.fork.os, "fork", no_fork)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        loaded = registry.load.load(registry.root.open_tree(
            registry.root.find_registry(root), None))
    finally:
        release.set()
        other.join()
    assert len(loaded.decls) == 38  # the team and 37 datasets that load


def test_a_load_without_a_second_process_gives_the_same_answer(
        git_repo: GitRepo, aireg: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """When no process can be made (a full process table, no memory to promise twice), both
    the shared load and the background cache write happen in this process instead."""
    git_repo.commit("forty files", files())
    monkeypatch.delenv("AIREG_NO_CACHE", raising=False)
    monkeypatch.setattr(registry.cache, "FRESH_SECONDS", 0.0)
    monkeypatch.setattr(registry.load, "PARALLEL_FILES", 10**9)
    single = aireg("--today", "2026-11-21", "-C", str(git_repo.root), "--no-cache", "check",
                   "--format", "json")

    def no_fork() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(registry.load, "PARALLEL_FILES", 2)
    monkeypatch.setattr(registry.fork.os, "fork", no_fork)
    shared = aireg("--today", "2026-11-21", "-C", str(git_repo.root), "check", "--format",
                   "json")
    assert (shared.code, shared.out, shared.err) == (single.code, single.out, single.err)
    cache = registry.cache.Cache.open(git_repo.root)
    assert cache is not None
    assert cache.db.execute("SELECT count(*) FROM parsed").fetchone()[0] == 38
