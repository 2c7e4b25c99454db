"""The snapshot answers new questions without a load, and never a stale answer: an edited
file, a file restored with its old modification time, a switched branch, an upgraded
dependency, another day, a changed retirements file or glob all make it miss; a damaged,
half-written or foreign snapshot is ignored and written again."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import (
    CONFIG,
    REPO_ROOT,
    TEAM,
    GitRepo,
    Run,
    count_loads,
    run_listing_heavy_modules,
)

import registry.cache
import registry.project
from registry import snapshot, state, store


def prompt(name: str, includes: str = "[]", description: str = "a prompt") -> str:
    return f"""\
apiVersion: aireg/v1
kind: Prompt
metadata: {{name: {name}, version: 1.0.0, owner: team/platform, description: {description}}}
spec:
  template: "Hello"
  includes: {includes}
"""


def feature(name: str, uses: str) -> str:
    return f"""\
apiVersion: aireg/v1
kind: Feature
metadata: {{name: {name}, owner: team/platform}}
spec:
  tier: high
  uses: {uses}
"""


@pytest.fixture
def loads(aireg: Run, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The cache on, no stored output replayed (every command runs), and each full load
    counted."""
    monkeypatch.delenv("AIREG_NO_CACHE", raising=False)
    monkeypatch.setattr(registry.cache.Cache, "result", lambda self, key: None)
    return count_loads(monkeypatch)


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.commit("registry", {
        "aireg.yaml": CONFIG, "teams/platform.yaml": TEAM,
        "prompts/base.yaml": prompt("base"),
        "prompts/reply.yaml": prompt("reply", "[prompt/base@^1]"),
        "features/bot.yaml": feature("bot", "[prompt/reply@^1]")})
    return git_repo


def dependents(aireg: Run, repo: GitRepo, ref: str) -> list[str]:
    result = aireg("-C", str(repo.root), "impact", ref, "--format", "json")
    assert result.code == 0, result.err
    return [d["id"] for d in json.loads(result.out)["dependents"]]


def test_a_new_question_is_answered_from_the_snapshot(aireg: Run, repo: GitRepo,
                                                       loads: list[Path]) -> None:
    assert aireg("-C", str(repo.root), "check").code == 0
    assert len(loads) == 1
    assert dependents(aireg, repo, "prompt/base") == ["prompt/reply@1.0.0",
                                                      "feature/bot"]
    deps = aireg("-C", str(repo.root), "deps", "feature/bot", "--format", "json")
    assert [d["id"] for d in json.loads(deps.out)["dependencies"]] == [
        "prompt/reply@1.0.0", "prompt/base@1.0.0"]
    assert len(loads) == 1  # neither loaded the registry
    # A ref the snapshot does not answer (a range) still gets its answer, from a load.
    assert dependents(aireg, repo, "prompt/base@^1") == ["prompt/reply@1.0.0",
                                                         "feature/bot"]
    assert len(loads) == 2


def test_a_hit_imports_no_models_yaml_or_version_ranges(repo: GitRepo) -> None:
    run_listing_heavy_modules(repo.root, "check")
    for args in (["impact", "prompt/base"], ["impact", "prompt/reply", "--format", "json"],
                 ["deps", "feature/bot"]):
        out, heavy = run_listing_heavy_modules(repo.root, *args)
        assert "feature/bot" in out
        assert heavy == "[]"


def test_an_edited_file_is_seen(aireg: Run, repo: GitRepo, loads: list[Path]) -> None:
    assert dependents(aireg, repo, "prompt/base") == ["prompt/reply@1.0.0",
                                                      "feature/bot"]
    repo.write({"features/bot.yaml": feature("bot", "[prompt/base@^1]")})
    assert dependents(aireg, repo, "prompt/base") == ["feature/bot",
                                                      "prompt/reply@1.0.0"]
    assert len(loads) == 2


def test_a_file_restored_with_its_old_modification_time_is_seen(
        aireg: Run, repo: GitRepo, loads: list[Path]) -> None:
    path = repo.root / "features/bot.yaml"
    assert dependents(aireg, repo, "prompt/reply") == ["feature/bot"]
    before = path.stat()
    with path.open("r+b") as stream:  # in place, the same size: another ref, same length
        stream.write(path.read_bytes().replace(b"prompt/reply@^1", b"prompt/base@^1 "))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r
    assert (path.stat().st_size, path.stat().st_ino) == (before.st_size, before.st_ino)
    assert dependents(aireg, repo, "prompt/reply") == []
    assert len(loads) == 2


def test_a_branch_switch_is_seen(aireg: Run, repo: GitRepo, loads: list[Path]) -> None:
    repo.git("checkout", "-q", "-b", "other")
    repo.commit("other", {"features/bot.yaml": feature("bot", "[prompt/base@^1]")})
    assert dependents(aireg, repo, "prompt/reply") == []
    repo.git("checkout", "-q", "main")
    assert dependents(aireg, repo, "prompt/reply") == ["feature/bot"]
    assert len(loads) == 2
    repo.git("checkout", "-q", "other")  # both snapshots are kept: back to the first
    assert dependents(aireg, repo, "prompt/reply") == []
    assert len(loads) == 2


def test_a_changed_glob_is_seen(aireg: Run, repo: GitRepo, loads: list[Path]) -> None:
    assert dependents(aireg, repo, "prompt/reply") == ["feature/bot"]
    repo.write({"aireg.yaml": CONFIG + "spec:\n  exclude: [features/**]\n"})
    assert dependents(aireg, repo, "prompt/reply") == []
    assert len(loads) == 2


def test_a_dependency_upgrade_changes_the_key(repo: GitRepo, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    before = store.locate(repo.root, None)
    assert before is not None
    site = tmp_path / "site"
    (site / "pydantic-99.0.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    upgraded = store.locate(repo.root, None)
    assert upgraded is not None and upgraded.key != before.key
    (site / "pydantic-99.0.0.dist-info").rename(site / "pydantic-99.0.1.dist-info")
    again = store.locate(repo.root, None)
    assert again is not None and again.key not in (before.key, upgraded.key)


def test_a_changed_retirements_file_changes_the_key(repo: GitRepo) -> None:
    repo.commit("own retirements", {"aireg.yaml": CONFIG + "spec:\n  retirements: own.yaml\n",
                                    "own.yaml": "records: []\n"})
    before = store.locate(repo.root, None)
    repo.write({"own.yaml": "records: [] \n"})
    after = store.locate(repo.root, None)
    assert before is not None and after is not None and before.key != after.key


def test_findings_are_kept_per_day(aireg: Run, repo: GitRepo, loads: list[Path]) -> None:
    """The lifecycle rules depend on the day: another --today is never answered with the
    findings of the first."""
    repo.commit("deprecated", {"prompts/base.yaml": prompt("base").replace(
        "description: a prompt}", "description: a prompt, deprecation: {sunset: 2026-03-01}}")})
    for today in ("2026-01-01", "2026-06-01"):
        assert aireg("-C", str(repo.root), "--today", today, "check").code in (0, 1)
    place = store.locate(repo.root, None)
    assert place is not None
    early = store.known_check(place, dt.date(2026, 1, 1))
    late = store.known_check(place, dt.date(2026, 6, 1))
    assert early is not None and late is not None
    assert {f.rule for f in early.findings} & {"sunset-soon", "sunset-passed"} == {
        "sunset-soon"}
    assert {f.rule for f in late.findings} & {"sunset-soon", "sunset-passed"} == {
        "sunset-passed"}
    assert store.known_check(place, dt.date(2026, 7, 1)) is None  # not asked yet: none


def _snapshot_file(repo: GitRepo) -> Path:
    place = store.locate(repo.root, None)
    assert place is not None
    folder = snapshot.folder(repo.root)
    assert folder is not None
    return folder / place.key


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "foreign"])
def test_a_damaged_or_foreign_snapshot_is_ignored_and_rebuilt(
        aireg: Run, repo: GitRepo, loads: list[Path], damage: str) -> None:
    assert dependents(aireg, repo, "prompt/base") == ["prompt/reply@1.0.0",
                                                      "feature/bot"]
    path = _snapshot_file(repo)
    good = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"not a snapshot at all")
    elif damage == "truncated":  # half-written
        path.write_bytes(good[: len(good) // 2])
    elif damage == "flipped":
        index = len(good) - 5
        path.write_bytes(good[:index] + bytes([good[index] ^ 0xFF]) + good[index + 1:])
    else:  # whole and valid, but written for another state
        repo.write({"features/bot.yaml": feature("bot", "[prompt/base@^1]")})
        assert dependents(aireg, repo, "prompt/base") == ["feature/bot",
                                                          "prompt/reply@1.0.0"]
        other = _snapshot_file(repo)
        repo.git("checkout", "-q", "--", "features/bot.yaml")
        path.write_bytes(other.read_bytes())
    count = len(loads)
    assert dependents(aireg, repo, "prompt/base") == ["prompt/reply@1.0.0",
                                                      "feature/bot"]
    assert len(loads) == count + 1  # not trusted: loaded
    assert snapshot.decode(path.read_bytes(), path.name) is not None  # and written again
    assert dependents(aireg, repo, "prompt/reply") == ["feature/bot"]
    assert len(loads) == count + 1


def test_the_index_is_read_as_git_writes_it(repo: GitRepo) -> None:
    index = (repo.root / ".git" / "index").read_bytes()
    entries = state._index_entries(index)
    assert entries is not None
    listed = repo.git("ls-files", "-s").splitlines()
    assert [e[0].decode() for e in entries] == [line.split("\t")[1] for line in listed]
    assert [e[5].hex() for e in entries] == [line.split()[1] for line in listed]
    repo.git("update-index", "--index-version", "4")
    v4 = state._index_entries((repo.root / ".git" / "index").read_bytes())
    assert v4 is not None and [e[0] for e in v4] == [e[0] for e in entries]
    assert state._index_entries(b"DIRC\0\0\0\x09\0\0\0\0") is None  # an unknown version


def test_a_revision_checked_answers_from_its_snapshot(aireg: Run, repo: GitRepo,
                                                      loads: list[Path]) -> None:
    """`--rev` keys its output on the replace refs as well; its snapshot is still found."""
    repo.commit("edit", {"prompts/base.yaml": prompt("base", description="edited")})
    assert aireg("-C", str(repo.root), "--rev", "HEAD~1", "check").code == 0
    assert len(loads) == 1
    result = aireg("-C", str(repo.root), "--rev", "HEAD~1", "impact", "prompt/base",
                   "--format", "json")
    assert result.code == 0, result.err
    assert [d["id"] for d in json.loads(result.out)["dependents"]] == [
        "prompt/reply@1.0.0", "feature/bot"]
    assert len(loads) == 1


# As the console script, with every registry counted large: the snapshot is written by a
# detached child (registry.fork.detach), which notes its pid once the snapshot is written.
BACKGROUND = """\
import os, sys
from pathlib import Path
import registry.store
from registry import snapshot
from cli.main import main
real = snapshot.write
def write(*args):
    real(*args)
    part = Path(sys.argv[1] + ".part")  # renamed whole: the test never reads half of it
    part.write_text(str(os.getpid()), encoding="utf-8")
    part.replace(sys.argv[1])
snapshot.write = write
registry.store.BACKGROUND_NODES = 1
print(os.getpid(), flush=True)
main(sys.argv[2:], console=True)
"""


def test_a_large_registrys_snapshot_is_written_by_a_detached_child(
        repo: GitRepo, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("AIREG_NO_CACHE", None)
    note = tmp_path / "writer"
    done = subprocess.run([sys.executable, "-c", BACKGROUND, str(note), "-C", str(repo.root),
                           "ls"], env=env, capture_output=True, text=True, timeout=60,
                          check=True)
    command = int(done.stdout.splitlines()[0])
    deadline = time.monotonic() + 30
    while not note.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert int(note.read_text(encoding="utf-8")) != command
    found = subprocess.run(  # in the same environment: the key has its variables
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\nfrom registry import "
         "store\nprint(store.read(store.locate(Path(sys.argv[1]), None)) is not None)",
         str(repo.root)], env=env, capture_output=True, text=True, check=True)
    assert found.stdout == "True\n"
