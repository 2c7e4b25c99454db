"""The cache never serves a stale answer: edited files, changed template files, switched
branches and other revisions are all seen; a corrupt or foreign cache file is rebuilt."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import CONFIG, REPO_ROOT, TEAM, GitRepo, Result, Run

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
@pytest.mark.parametrize("args", [("--no-cache", "check"), ("check", "--no-cache")],
                         ids=["before the command", "after the command"])
def test_no_cache_reads_and_writes_nothing(aireg: Run, repo: GitRepo,
                                           args: tuple[str, str]) -> None:
    assert not (repo.root / ".git" / "aireg").exists()
    assert aireg("-C", str(repo.root), *args).code == 0
    assert not (repo.root / ".git" / "aireg").exists()
    assert aireg("-C", str(repo.root), "check").code == 0  # and the cache does work here
    assert (repo.root / ".git" / "aireg").exists()


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
    items = {f"{number:040x}": [{"n": number, "name": f"d{number}"}] for number in range(3000)}
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
    from cli.replay import code_state as _code_state

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

    from cli.replay import replay

    out, err = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(out, encoding=encoding))
    monkeypatch.setattr("sys.stderr", io.TextIOWrapper(err, encoding=encoding))
    code = replay(1, b'{"files": {}}\n' + "café".encode(), "note: café\n".encode())
    sys.stdout.flush()
    sys.stderr.flush()
    assert code == 1
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


def monorepo(git_repo: GitRepo) -> Path:
    """The registry of the `repo` fixture in a subfolder of a larger repository."""
    git_repo.commit("registry", {"reg/aireg.yaml": CONFIG, "reg/teams/platform.yaml": TEAM,
                                 "reg/prompts/p.yaml": PROMPT.format(description="first"),
                                 "reg/prompts/p.j2": "Hello {{ who }}\n",
                                 "reg/features/f.yaml": FEATURE, "app/main.py": "print()\n"})
    return git_repo.root / "reg"


@pytest.mark.usefixtures("cached")
@pytest.mark.parametrize("layout", ["whole repository", "subfolder"])
@pytest.mark.parametrize("command", [("bom",), ("history", "prompt/p")])
def test_a_moved_head_with_no_file_changed_is_seen(aireg: Run, git_repo: GitRepo,
                                                   layout: str, command: tuple[str, ...]) -> None:
    if layout == "subfolder":
        root = monorepo(git_repo)
        moves = {"app/main.py": "print('moved')\n"}  # a commit outside the registry
    else:
        git_repo.commit("registry", {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM,
                                     "prompts/p.yaml": PROMPT.format(description="first"),
                                     "prompts/p.j2": "Hello {{ who }}\n",
                                     "features/f.yaml": FEATURE})
        root = git_repo.root
        moves = {}
    first = twice(aireg, "-C", str(root), *command)
    if moves:
        git_repo.commit("outside the registry", moves)
    else:
        git_repo.git("commit", "-q", "--allow-empty", "-m", "empty",
                     "--date", "2026-02-01T12:00:00+00:00")
    after = twice(aireg, "-C", str(root), *command)
    if command == ("bom",):  # the BOM names the new commit, its serial and its time
        assert git_repo.git("rev-parse", "HEAD").strip() in after.out
        assert after.out != first.out


@pytest.mark.usefixtures("cached")
def test_a_retirements_file_behind_a_link_to_a_folder_is_watched(
        aireg: Run, git_repo: GitRepo) -> None:
    config = CONFIG + "spec:\n  include: ['teams/**', 'models/**']\n  retirements: data/own.yaml\n"
    git_repo.commit("registry", {
        "reg/aireg.yaml": config, "reg/teams/platform.yaml": TEAM,
        "reg/models/m.yaml": MODEL, "reg/store/.keep": ""})
    own = git_repo.root / "reg" / "store" / "own.yaml"
    own.write_text(RETIREMENTS.format(sunset="2027-01-31"), encoding="utf-8")
    (git_repo.root / "reg" / "data").symlink_to("store", target_is_directory=True)
    args = ("-C", str(git_repo.root / "reg"), "--today", "2026-06-01", "deprecations")
    assert "2027-01-31  in 244 days  model/m@1.0.0" in twice(aireg, *args).out
    own.write_text(RETIREMENTS.format(sunset="2027-02-28"), encoding="utf-8")
    touch(own, 100)
    assert "2027-02-28  in 272 days  model/m@1.0.0" in twice(aireg, *args).out


@pytest.mark.usefixtures("cached")
@pytest.mark.parametrize("inside", [True, False], ids=["in-the-repository", "elsewhere"])
def test_a_retirements_folder_link_out_of_the_registry_is_refused(
        aireg: Run, git_repo: GitRepo, tmp_path: Path, inside: bool) -> None:
    """Out of the registry, the file is not read: a path-escape warning, cached or not,
    whatever the file says, and the bundled data still applies."""
    shared = git_repo.root / "shared" if inside else tmp_path / "elsewhere"
    config = CONFIG + "spec:\n  include: ['teams/**', 'models/**']\n  retirements: data/own.yaml\n"
    git_repo.commit("registry", {
        "reg/aireg.yaml": config, "reg/teams/platform.yaml": TEAM,
        "reg/models/m.yaml": MODEL, "shared/.keep": ""})
    shared.mkdir(exist_ok=True)
    own = shared / "own.yaml"
    own.write_text(RETIREMENTS.format(sunset="2027-01-31"), encoding="utf-8")
    (git_repo.root / "reg" / "data").symlink_to(shared, target_is_directory=True)
    args = ("-C", str(git_repo.root / "reg"), "--today", "2026-06-01", "deprecations")
    refused = Result(0, "No deadlines as of 2026-06-01.\n",
                     "aireg: warning: reg/aireg.yaml:7:16: retirements file `data/own.yaml` is "
                     "a link that leads out of the registry; replace the link with the file\n")
    assert twice(aireg, *args) == refused
    own.write_text(RETIREMENTS.format(sunset="2027-02-28"), encoding="utf-8")
    touch(own, 100)
    assert twice(aireg, *args) == refused


MODEL = """\
apiVersion: aireg/v1
kind: Model
metadata: {name: m, version: 1.0.0, owner: team/platform}
spec: {provider: openai, modelId: foo-1}
"""
RETIREMENTS = """\
records:
  - {{platform: openai, modelId: foo-1, sunset: {sunset}, source: contract}}
"""


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


@pytest.mark.usefixtures("cached")
@pytest.mark.parametrize("template", ["../.git/HEAD", "git/HEAD"])
def test_a_template_file_under_git_is_keyed(aireg: Run, git_repo: GitRepo,
                                            template: str) -> None:
    git_repo.commit("registry", {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM,
                                 "prompts/p.yaml": PROMPT.format(description="x").replace(
                                     "p.j2", template).replace("[who]", "[]"),
                                 "features/f.yaml": FEATURE})
    if template.startswith("git/"):  # reached through a link to the git folder
        (git_repo.root / "prompts" / "git").symlink_to(git_repo.root / ".git")
        touch(git_repo.root / "prompts", 0)
    args = ("-C", str(git_repo.root), "bom")
    twice(aireg, *args)
    git_repo.git("checkout", "-q", "-b", "other")  # .git/HEAD changes; the commit does not
    after = twice(aireg, *args)
    if after.code == 0:  # (the template may also be refused as a path-escape)
        assert "ref: refs/heads/other" in after.out


@pytest.mark.usefixtures("cached")
def test_replace_refs_are_seen(aireg: Run, repo: GitRepo,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit("second", {"prompts/p.yaml": PROMPT.format(description="second")})
    args = ("-C", str(repo.root), "--rev", "HEAD", "show", "prompt/p", "--format", "json")
    assert '"description": "second"' in twice(aireg, *args).out
    repo.git("replace", "HEAD", "HEAD~1")  # the commit reads as the one before
    assert '"description": "first"' in twice(aireg, *args).out
    monkeypatch.setenv("GIT_NO_REPLACE_OBJECTS", "1")
    assert '"description": "second"' in twice(aireg, *args).out
    monkeypatch.delenv("GIT_NO_REPLACE_OBJECTS")
    repo.git("replace", "-d", "HEAD")
    # A blob replaced: the tree lists the same id, which now reads as other bytes.
    blob = repo.git("rev-parse", "HEAD:prompts/p.yaml").strip()
    other = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo.root, check=True,
                           capture_output=True, text=True,
                           input=PROMPT.format(description="replaced")).stdout.strip()
    repo.git("replace", blob, other)
    assert '"description": "replaced"' in twice(aireg, *args).out
    repo.git("replace", "-d", blob)
    assert '"description": "second"' in twice(aireg, *args).out


# --- the parse cache reads back exactly what was parsed -----------------------------------------

YAML_VALUES = [
    '"\\u0024d": 2026-01-02\n',  # a key that is `$d`, written so the text holds no `$d`
    "$d: 2026-01-02\n",
    "{$dt: x, $m: [1, 2]}\n",
    "a: {$d: 2026-01-02}\nb: {$f: [1.5, '1.50']}\nc: {$$d: x}\n",
    "day: 2026-01-02\n",
    "times: [2026-01-02 03:04:05, 2026-01-02T03:04:05.123456Z, 2026-01-02t03:04:05-05:30,\n"
    "        2001-12-14 21:59:43.10 +5]\n",
    "!!binary aGVsbG8gd29ybGQ=\n",
    "data: !!binary |\n  R0lGODlhDAAMAIQAAP//\n  9/X17unp5WZmeA==\n",
    "!!set {a, b, 2026-01-02, 3}\n",
    "!!omap [a: 1, b: 2]\n",
    "!!pairs [a: 1, a: 2]\n",
    "{2: one, 2.5: two, true: three, null: four, 2026-01-02: five, -7: six, .inf: i}\n",
    "{0x1f: hex, 0o17: octal, 1_000: grouped, 123456789012345678901234567890: big}\n",
    "[.inf, -.inf, .nan, 1.10, 1e3, -0.0, 0.1, 6.8523015e+5, 685_230.15]\n",
    "[~, null, Null, '', \"\", true, false, yes, no, on, off, 'true']\n",
    "nested: {a: [{b: [[], {}, [{}]]}], 'k: v': '#', '': empty}\n",
    "unicode: {ключ: значение, 🔑: \"\\U0001F600\", cafe\\u0301: é, tab: \"a\\tb\\u0000\"}\n",
    "anchors: {a: &x {k: [1, 2]}, b: *x, <<: {merged: yes}}\n",
    "strings: ['$d', '{\"$d\": 1}', '\"$', '$', '\\\\u0024']\n",
    "--- a\n--- [1]\n--- {b: 2}\n---\n",
    "",
]


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (NaN is NaN; a float's spelling, the
    sign of a zero and a time's offset count)."""
    import datetime as dt
    import math

    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        equal = (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b))
        return equal and getattr(a, "raw", None) == getattr(b, "raw", None)
    if isinstance(a, dt.datetime):
        return bool(a == b and a.utcoffset() == b.utcoffset())
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            same(ka, kb) and same(va, vb)
            for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, set):
        return {(type(x), repr(x)) for x in a} == {(type(x), repr(x)) for x in b}
    return bool(a == b)


def through_the_cache(tmp_path: Path, documents: list[object]) -> object:
    cache = registry.cache.Cache(tmp_path / "cache.sqlite3")
    cache.store_parsed({"blob": documents})
    return cache.parsed(["blob"]).get("blob")


@pytest.mark.parametrize("text", YAML_VALUES)
def test_a_parsed_file_reads_back_from_the_cache_exactly(tmp_path: Path, text: str) -> None:
    documents, problems = registry.yamlio.load_documents(text)
    assert problems == []
    assert same(through_the_cache(tmp_path, documents), documents)


def _values() -> Any:
    import datetime as dt

    from hypothesis import strategies as st

    from registry.yamlio import RawFloat

    days = st.dates()
    offsets = st.integers(-1439, 1439).map(lambda minutes: dt.timedelta(minutes=minutes))
    times = st.datetimes(timezones=st.none() | st.builds(dt.timezone, offsets)).map(
        lambda time: time.replace(fold=0))  # as YAML makes them
    floats = st.floats(allow_nan=True) | st.builds(
        lambda f: RawFloat(f, repr(f)), st.floats(allow_nan=False))
    keys = (st.text() | st.sampled_from(["$d", "$dt", "$m", "$", "$$d", "$f"]) | st.integers()
            | st.booleans() | st.none() | days | st.binary(max_size=8)
            | st.floats(allow_nan=False) | times.filter(lambda t: t.tzinfo is None))
    scalars = (st.none() | st.booleans() | st.integers() | floats | st.text() | days | times
               | st.binary() | st.sampled_from(["$d", "$", '"$d"']))
    hashable = st.none() | st.booleans() | st.integers() | st.text() | days | st.binary()
    return st.recursive(scalars, lambda inner: (
        st.lists(inner) | st.dictionaries(keys, inner, max_size=4)
        | st.dictionaries(st.sampled_from(["$d", "$dt", "$b", "$s", "$t", "$f", "$m"]), inner,
                          min_size=1, max_size=1)
        | st.sets(hashable, max_size=4) | st.lists(inner, max_size=3).map(tuple)
        | st.builds(lambda d: {"$d": d.isoformat()}, st.dates())
        | st.builds(dt.date.isoformat, days)), max_leaves=20)


def test_any_value_yaml_makes_reads_back_from_the_cache_exactly() -> None:
    import datetime as dt
    import zoneinfo

    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.lists(_values(), max_size=3))
    def check(documents: list[object]) -> None:
        data = registry.cache.encode(documents)
        assert data is not None
        assert same(registry.cache.decode(data), documents)

    check()
    zoned = dt.datetime(1999, 10, 31, 1, tzinfo=zoneinfo.ZoneInfo("America/Adak"))
    assert registry.cache.encode([zoned]) is None  # not what YAML makes: not stored


@pytest.mark.usefixtures("cached")
def test_a_key_written_as_an_escaped_dollar_reads_back_as_itself(aireg: Run,
                                                                 repo: GitRepo) -> None:
    path = repo.root / "teams/platform.yaml"
    path.write_text(TEAM.replace("  name: platform\n",
                                 '  name: platform\n  labels: {"\\u0024d": "2026-01-02"}\n'),
                    encoding="utf-8")
    touch(path, 100)
    assert aireg("-C", str(repo.root), "check").code == 0  # parsed, and kept
    shown = twice(aireg, "-C", str(repo.root), "show", "team/platform", "--format", "json")
    assert '"$d": "2026-01-02"' in shown.out


# --- a damaged row is dropped and made again ---------------------------------------------------

DAMAGE = {
    "output of garbage": "UPDATE results SET out = x'fffe00c3'",
    "output cut short": "UPDATE results SET out = substr(out, 1, 7)",
    "output changed":
        "UPDATE results SET out = CAST('{\"files\": {}}' || char(10) || 'ok' AS BLOB)",
    "inputs of garbage": "UPDATE results SET inputs = '[[1'",
    "code of garbage": "UPDATE results SET code = 'x'",
    "parse cut short": "DELETE FROM results; UPDATE parsed SET data = substr(data, 1, 30)",
    "parse of garbage": "DELETE FROM results; UPDATE parsed SET data = x'fffe00'",
    "parse as text": "DELETE FROM results; UPDATE parsed SET data = CAST(x'ff22' AS TEXT)",
    "parse of another shape": "DELETE FROM results; UPDATE parsed SET data = '5', sum = 1",
    "parse emptied": "DELETE FROM results; UPDATE parsed SET data = CAST('[]' AS BLOB)",
    "no checksum": "DELETE FROM results; UPDATE parsed SET sum = NULL",
}


@pytest.mark.usefixtures("cached")
@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_row_is_dropped_and_made_again(aireg: Run, repo: GitRepo,
                                                 damage: str) -> None:
    args = ("-C", str(repo.root), "show", "prompt/p", "--format", "json")
    expected = twice(aireg, *args)
    db = sqlite3.connect(repo.root / ".git" / "aireg" / "cache.sqlite3")
    db.executescript(damage)
    db.commit()
    db.close()
    assert twice(aireg, *args) == expected
    cache = registry.cache.Cache.open(repo.root)
    assert cache is not None
    blobs = [blob for (blob,) in cache.db.execute("SELECT blob FROM parsed")]
    assert len(cache.parsed(blobs)) == len(blobs) == 3  # made again, and whole


def test_an_upgrade_of_python_or_of_a_library_makes_stored_outputs_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.replay import installed

    monkeypatch.syspath_prepend(str(tmp_path))
    before = installed()
    assert sys.version in before
    (tmp_path / "pydantic-2.6.0.dist-info").mkdir()
    assert installed() != before
    listed = installed()
    (tmp_path / "pydantic-2.6.0.dist-info").rename(tmp_path / "pydantic-2.7.0.dist-info")
    assert installed() != listed


def test_the_console_script_ends_before_its_cache_writers(git_repo: GitRepo) -> None:
    """A cold load of many files writes the parse cache in a child; the console script ends
    without waiting for it (a child of its own keeps the output once the lock is free), and
    neither holds the caller's pipes open. The next run replays the output."""
    files = {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM}
    files |= {f"prompts/p{n:04d}.yaml": (
        f"apiVersion: aireg/v1\nkind: Prompt\nmetadata: {{name: p{n:04d}, version: 1.0.0, "
        "owner: team/platform}\nspec: {template: Hi}\n") for n in range(1200)}
    git_repo.commit("many prompts", files)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("AIREG_NO_CACHE", None)
    command = [sys.executable, "-c", "from cli.main import console; console()", "-C",
               str(git_repo.root), "--today", "2026-06-01", "check", "--format", "json"]
    first = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert first.returncode in (0, 1), first.stderr
    database = git_repo.root / ".git" / "aireg" / "cache.sqlite3"
    deadline = time.monotonic() + 60
    counts = (0, 0)
    while time.monotonic() < deadline:
        with sqlite3.connect(database, timeout=5) as db:
            counts = (db.execute("SELECT count(*) FROM parsed").fetchone()[0],
                      db.execute("SELECT count(*) FROM results").fetchone()[0])
        if counts == (1201, 1):
            break
        time.sleep(0.1)
    assert counts == (1201, 1)  # every file parsed, and the output, kept
    again = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)
