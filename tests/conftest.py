"""Small factories: registries on disk, real git repositories with fixed authors and dates, and
a runner for the `aireg` command that returns its exit code and both output streams."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = REPO_ROOT / "examples" / "acme"
GOLDEN = Path(__file__).resolve().parent / "golden"

CONFIG = """\
apiVersion: aireg/v1
kind: Registry
metadata:
  name: test
"""

TEAM = """\
apiVersion: aireg/v1
kind: Team
metadata:
  name: platform
spec:
  members: [maria]
  contact: "#platform"
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files from the current output")


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def aireg(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run `aireg ARGS...` in this process; returns exit code, stdout and stderr."""
    from cli.main import main

    # Tests see every command compute its answer; test_cache.py turns the cache back on.
    monkeypatch.setenv("AIREG_NO_CACHE", "1")

    def run(*args: str, cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def load_script(name: str) -> ModuleType:
    """scripts/NAME.py as a module (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


@pytest.fixture
def make_registry(tmp_path: Path) -> Callable[..., Path]:
    """A registry folder (not in git) with aireg.yaml, a Team `platform`, and the given files."""

    def make(files: dict[str, str | bytes], config: str = CONFIG, team: bool = True,
             root: Path | None = None) -> Path:
        root = root or tmp_path / "reg"
        base: dict[str, str | bytes] = {"aireg.yaml": config}
        if team:
            base["teams/platform.yaml"] = TEAM
        write_files(root, {**base, **files})
        return root

    return make


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Author", "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Author", "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
}


class GitRepo:
    """A real temporary git repository; every commit has a fixed author and date."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.day = 0
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV}
        return subprocess.run(["git", *args], cwd=self.root, env=env, check=True,
                              capture_output=True, text=True).stdout

    def write(self, files: dict[str, str | bytes]) -> None:
        write_files(self.root, files)

    def commit(self, message: str, files: dict[str, str | bytes] | None = None) -> str:
        if files:
            self.write(files)
        self.day += 1
        stamp = f"2026-01-{self.day:02d}T12:00:00+00:00"
        env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        subprocess.run(["git", "add", "-A"], cwd=self.root, env=env, check=True)
        subprocess.run(["git", "commit", "-q", "-m", message], cwd=self.root, env=env,
                       check=True)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


@pytest.fixture
def acme_repo(git_repo: GitRepo) -> GitRepo:
    """examples/acme in a git repository, one commit with a fixed author and date."""
    shutil.copytree(EXAMPLE, git_repo.root, dirs_exist_ok=True)
    git_repo.commit("Import the acme registry")
    return git_repo



def check_golden(request: pytest.FixtureRequest, name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; `pytest --update-golden` rewrites it."""
    path = GOLDEN / name
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
    assert actual == path.read_text(encoding="utf-8")


def fingerprint(rule: str, subject: str | None, field: str | None = None,
                value: str | None = None, path: str = "") -> str:
    """A finding's fingerprint as the contract defines it, computed apart from aireg's code:
    the rule, the subject's kind/name (no version), the field and the value; the file only
    for a finding about no declaration."""
    import hashlib

    about = subject.partition("@")[0] if subject is not None else "file:" + path
    text = "\0".join([rule, about, field or "", value or ""])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def python() -> str:
    return sys.executable


# --- checking small registries ----------------------------------------------------------------

Check = Callable[..., Result]


@pytest.fixture
def check(make_registry: Callable[..., Path], aireg: Run) -> Check:
    """`aireg [--today DAY] check` on a new registry of `files` (make_registry's options pass
    through); standard error must stay empty."""

    def run(files: dict[str, str | bytes], today: str | None = None,
            **options: object) -> Result:
        dated = ("--today", today) if today else ()
        result = aireg(*dated, "-C", str(make_registry(files, **options)), "check")
        assert result.err == ""
        return result

    return run


def findings(result: Result) -> list[str]:
    """Every finding line of `aireg check` text output (the summary line left out)."""
    return [line for line in result.out.splitlines()[:-1] if line]


def of_rule(result: Result, rule: str) -> list[str]:
    return [line for line in findings(result) if f"[{rule}] " in line]


def validate_output(kind: str, document: object) -> None:
    """Check a `--format json` output against its schema in schemas/output/."""
    import json

    import jsonschema

    path = REPO_ROOT / "schemas" / "output" / f"{kind}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(document)


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Each full load of a registry from now on, by where it started."""
    import registry.project

    counted: list[Path] = []
    real = registry.project.Project.open.__func__  # type: ignore[attr-defined]

    def counting(cls: type, start: Path, *args: object, **kwargs: object) -> object:
        counted.append(start)
        return real(cls, start, *args, **kwargs)

    monkeypatch.setattr(registry.project.Project, "open", classmethod(counting))
    return counted


def run_listing_heavy_modules(root: Path, *args: str) -> tuple[str, str]:
    """`aireg -C ROOT ARGS...` in a fresh process with the cache on: its output, and the
    heavy modules it imported (the models, YAML, version ranges, graphs, templates), as
    the printed list of their names."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("AIREG_NO_CACHE", None)
    code = ("import sys\nfrom cli.main import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml', "
            "'semantic_version', 'networkx', 'git', 'jinja2') or m in ('registry.kinds', "
            "'registry.adoption', 'registry.yamlio', 'registry.project')), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, "-C", str(root), *args], env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout, done.stderr.strip().splitlines()[-1]
