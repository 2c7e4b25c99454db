"""The cache never serves a stale answer: edited files, changed template files, switched
branches and other revisions are all seen; a corrupt or foreign cache file is rebuilt."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest
from conftest import CONFIG, TEAM, GitRepo, Result, Run

import registry.cache
import registry.yamlio

PROMPT = """\
apiVersion: aireg/v1
kind: Prompt
metadata: {{name: p, version: 1.0.0, owner: team/platform, description: {description}}}
spec:
  templateFile: p.j2
  variables: [who]
"""
FEATURE = """\
apiVersion: aireg/v1
kind: Feature
metadata: {name: f, owner: team/platform}
spec:
  uses: [prompt/p@^1]
"""


@pytest.fixture
def cached(aireg: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache on (after the `aireg` fixture turned it off), and files count as settled at
    once (no two-second wait)."""
    monkeypatch.delenv("AIREG_NO_CACHE", raising=False)
    monkeypatch.setattr(registry.cache, "FRESH_SECONDS", 0.0)


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.commit("registry", {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM,
                                 "prompts/p.yaml": PROMPT.format(description="first"),
                                 "prompts/p.j2": "Hello {{ who }}\n",
                                 "features/f.yaml": FEATURE})
    return git_repo


def touch(path: Path, seconds_ago: int) -> None:
    """Give a file a modification time in the past, as an edit made then would."""
    stamp = path.stat().st_mtime - seconds_ago
    os.utime(path, (stamp, stamp))


def show(aireg: Run, repo: GitRepo, *args: str) -> str:
    result = aireg("-C", str(repo.root), *args, "show", "prompt/p", "--format", "json")
    assert result.code == 0, result.err
    return result.out


@pytest.mark.usefixtures("cached")
def test_an_edited_file_is_seen(aireg: Run, repo: GitRepo) -> None:
    assert '"description": "first"' in show(aireg, repo)
    path = repo.root / "prompts/p.yaml"
    path.write_text(PROMPT.format(description="second"), encoding="utf-8")
    touch(path, 100)
    assert '"description": "second"' in show(aireg, repo)


@pytest.mark.usefixtures("cached")
def test_a_changed_template_file_is_seen(aireg: Run, repo: GitRepo) -> None:
    def render() -> Result:
        return aireg("-C", str(repo.root), "render", "prompt/p", "--var", "who=Ada")

    assert render().out == "Hello Ada\n"
    first = aireg("-C", str(repo.root), "check").out
    template = repo.root / "prompts/p.j2"
    template.write_text("Hello {{ who }} and {{ whom }}\n", encoding="utf-8")
    touch(template, 100)
    second = aireg("-C", str(repo.root), "check").out
    assert "undeclared-variable" not in first
    assert "prompts/p.j2:1:24: warning[undeclared-variable] the template uses `whom`" in second


@pytest.mark.usefixtures("cached")
def test_a_switched_branch_is_seen(aireg: Run, repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "other")
    repo.commit("other description", {"prompts/p.yaml": PROMPT.format(description="other")})
    assert '"description": "other"' in show(aireg, repo)
    repo.git("checkout", "-q", "main")
    assert '"description": "first"' in show(aireg, repo)


@pytest.mark.usefixtures("cached")
def test_each_revision_is_its_own(aireg: Run, repo: GitRepo) -> None:
    repo.commit("second", {"prompts/p.yaml": PROMPT.format(description="second")})
    assert '"description": "second"' in show(aireg, repo, "--rev", "HEAD")
    assert '"description": "first"' in show(aireg, repo, "--rev", "HEAD~1")
    # A branch that moves is followed to its new commit, not served from before.
    repo.commit("third", {"prompts/p.yaml": PROMPT.format(description="third")})
    assert '"description": "third"' in show(aireg, repo, "--rev", "main")


@pytest.mark.usefixtures("cached")
def test_a_second_run_is_served_from_the_cache(aireg: Run, repo: GitRepo,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first = aireg("-C", str(repo.root), "check")
    monkeypatch.setattr(registry.yamlio, "load_documents", _no_parse)
    assert aireg("-C", str(repo.root), "check") == first  # nothing was parsed again


@pytest.mark.usefixtures("cached")
def test_a_warm_load_parses_only_what_changed(aireg: Run, repo: GitRepo,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    aireg("-C", str(repo.root), "check")
    path = repo.root / "prompts/p.yaml"
    path.write_text(PROMPT.format(description="second"), encoding="utf-8")
    touch(path, 100)
    parsed: list[str] = []
    real = registry.yamlio.load_documents

    def counting(text: str) -> object:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(registry.load, "load_documents", counting)
    assert aireg("-C", str(repo.root), "check").code == 0
    # aireg.yaml (read apart) and the one edited file; the others came from the cache.
    assert len(parsed) == 2
    assert "description: second" in parsed[1]


@pytest.mark.usefixtures("cached")
@pytest.mark.parametrize("content", [b"this is not a database" * 100, b""])
def test_a_corrupt_cache_file_is_rebuilt(aireg: Run, repo: GitRepo, content: bytes) -> None:
    expected = aireg("-C", str(repo.root), "--no-cache", "check")
    folder = repo.root / ".git" / "aireg"
    folder.mkdir(exist_ok=True)
    for suffix in ("-wal", "-shm"):
        (folder / f"cache.sqlite3{suffix}").unlink(missing_ok=True)
    (folder / "cache.sqlite3").write_bytes(content)
    assert aireg("-C", str(repo.root), "check") == expected
    tables = sqlite3.connect(folder / "cache.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").fetchall()
    assert tables == [("meta",), ("parsed",), ("results",)]


@pytest.mark.usefixtures("cached")
def test_a_cache_of_another_format_is_rebuilt(aireg: Run, repo: GitRepo) -> None:
    expected = aireg("-C", str(repo.root), "--no-cache", "check")
    folder = repo.root / ".git" / "aireg"
    folder.mkdir(exist_ok=True)
    db = sqlite3.connect(folder / "cache.sqlite3")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('format', '999')")
    db.execute("CREATE TABLE results (key TEXT, code INTEGER, out BLOB, err BLOB, used REAL)")
    db.commit()
    db.close()
    assert aireg("-C", str(repo.root), "check") == expected


@pytest.mark.usefixtures("cached")
def test_no_cache_reads_and_writes_nothing(aireg: Run, repo: GitRepo) -> None:
    assert not (repo.root / ".git" / "aireg").exists()
    aireg("-C", str(repo.root), "--no-cache", "check")
    assert not (repo.root / ".git" / "aireg").exists()


def test_a_file_modified_a_moment_ago_is_never_served_from_the_cache(
        aireg: Run, repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIREG_NO_CACHE", raising=False)
    assert '"description": "first"' in show(aireg, repo)
    path = repo.root / "prompts/p.yaml"
    path.write_text(PROMPT.format(description="now"), encoding="utf-8")
    assert registry.cache.tree_state(repo.root) is None
    assert '"description": "now"' in show(aireg, repo)


def test_values_survive_the_parse_cache() -> None:
    import datetime as dt

    documents = [{"a": dt.date(2026, 1, 2), "b": [1, 2.5, True, None, "x"],
                  "c": {"when": dt.datetime(2026, 1, 2, 3, 4, 5)}}]
    text = registry.cache.encode(documents)
    assert text is not None
    assert registry.cache.decode(text) == documents


def _no_parse(text: str) -> object:
    raise AssertionError("parsed again")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="background writes need fork")
def test_a_background_write_is_complete_once_collected(tmp_path: Path) -> None:
    cache = registry.cache.Cache(tmp_path / "cache.sqlite3")
    items = {f"{number:040x}": {"n": number, "name": f"d{number}"} for number in range(3000)}
    cache.store_parsed(items, background=True)
    registry.cache.wait_for_writers()
    assert registry.cache._writers == []
    assert cache.parsed(items) == items


@pytest.mark.usefixtures("cached")
@pytest.mark.skipif(not hasattr(os, "fork"), reason="background writes need fork")
def test_a_command_waits_for_its_background_write(
        aireg: Run, repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    import registry.load

    monkeypatch.setattr(registry.load, "PARALLEL_FILES", 2)  # a "large" registry: fork
    assert aireg("-C", str(repo.root), "check").code == 0
    assert registry.cache._writers == []  # collected before main returned
    cache = registry.cache.Cache.open(repo.root)
    assert cache is not None
    # The team, the prompt and the feature (aireg.yaml is read apart, never kept).
    assert cache.db.execute("SELECT count(*) FROM parsed").fetchone()[0] == 3


@pytest.mark.usefixtures("cached")
def test_a_cold_command_walks_the_working_tree_once(
        aireg: Run, repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    import registry.files

    walks: list[Path] = []
    real = registry.files.FolderScan.__init__

    def counting(self: registry.files.FolderScan, root: Path) -> None:
        walks.append(root)
        real(self, root)

    monkeypatch.setattr(registry.files.FolderScan, "__init__", counting)
    assert aireg("-C", str(repo.root), "check").code == 0
    assert walks == [repo.root]  # the result cache's walk is the load's listing
    walks.clear()
    assert aireg("-C", str(repo.root), "--no-cache", "check").code == 0
    assert walks == [repo.root]  # no key to make: only the listing


def test_an_upgrade_or_edit_of_aireg_itself_makes_stored_outputs_stale() -> None:
    from cli.main import _code_state

    data = Path(registry.cache.__file__).parent / "data" / "retirements.json"
    before = _code_state()
    info = data.stat()
    try:
        os.utime(data, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
        assert _code_state() != before  # the bundled retirement data counts too
    finally:
        os.utime(data, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert _code_state() == before


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "café".encode()),
                                                    ("latin-1", b"caf\xe9")])
def test_a_stored_output_is_replayed_in_the_stream_encoding(
        monkeypatch: pytest.MonkeyPatch, encoding: str, expected: bytes) -> None:
    import io

    from cli.main import _replay

    out, err = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(out, encoding=encoding))
    monkeypatch.setattr("sys.stderr", io.TextIOWrapper(err, encoding=encoding))
    with pytest.raises(SystemExit) as done:
        _replay(1, b'{"files": {}}\n' + "café".encode(), "note: café\n".encode())
    sys.stdout.flush()
    sys.stderr.flush()
    assert done.value.code == 1
    assert out.getvalue() == expected
    assert err.getvalue() == b"note: " + expected + b"\n"


# --- never a stale answer: each case runs twice with the cache on, and the second run must
# print what a --no-cache run prints. ---------------------------------------------------------


def twice(aireg: Run, *args: str) -> Result:
    """A command run twice with the cache on (the second may be served from it); both must
    match a --no-cache run, which is returned."""
    expected = aireg("--no-cache", *args)
    assert aireg(*args) == expected
    assert aireg(*args) == expected
    return expected


@pytest.mark.usefixtures("cached")
def test_a_link_to_a_folder_that_leads_elsewhere_is_seen(aireg: Run, repo: GitRepo,
                                                         tmp_path: Path) -> None:
    (repo.root / "kept").mkdir()
    link = repo.root / "ext"
    link.symlink_to(repo.root / "kept", target_is_directory=True)
    assert "path-escape" not in twice(aireg, "-C", str(repo.root), "check").out
    link.unlink()
    link.symlink_to(tmp_path, target_is_directory=True)  # now out of the registry
    assert "ext:1:1: error[path-escape]" in twice(aireg, "-C", str(repo.root), "check").out


@pytest.mark.usefixtures("cached")
def test_a_same_size_edit_with_its_modification_time_put_back_is_seen(
        aireg: Run, repo: GitRepo) -> None:
    path = repo.root / "prompts/p.yaml"
    touch(path, 100)
    assert '"description": "first"' in twice(aireg, "-C", str(repo.root), "show", "prompt/p",
                                             "--format", "json").out
    before = path.stat()
    with path.open("r+b") as stream:  # in place: the same inode and size
        stream.write(path.read_bytes().replace(b"first", b"fresh"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r
    assert (path.stat().st_size, path.stat().st_ino) == (before.st_size, before.st_ino)
    assert '"description": "fresh"' in twice(aireg, "-C", str(repo.root), "show", "prompt/p",
                                             "--format", "json").out


def test_a_file_changed_a_moment_ago_turns_the_output_cache_off(repo: GitRepo) -> None:
    from registry.files import FolderScan

    path = repo.root / "prompts/p.yaml"
    touch(path, 100)  # modified long ago, changed (its times set) now
    info = path.stat()
    assert info.st_mtime_ns < info.st_ctime_ns
    assert FolderScan(repo.root).state()[1] >= info.st_ctime_ns
    assert registry.cache.tree_state(repo.root) is None
