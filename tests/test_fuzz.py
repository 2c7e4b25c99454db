"""Fuzzing: the example registry, mutated, through the commands users run.

Each example changes one file of a git copy of examples/acme (hostile snippets, bytes
flipped, lines dropped or repeated, another encoding) and runs a command three times: with
no cache, with the cache (storing), and with the cache again (replaying). Whatever the
input, aireg never exits 3, never prints a traceback, and the cached answers are the
uncached one. The budget is fixed and the examples derandomized, so CI runs the same cases
every time; the explicit examples are the inputs a fault campaign found breaking.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLE, GIT_ENV
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

# What a pull request can put in a file, beside plain random bytes.
HOSTILE = (
    "\x00", "\x07", "\x1b[31m", "\ufeff", "\u202e", "\u200b", "*" * 24 + "x", "[z-a]",
    "1 - 2*", "{{" * 400, "{% if x %}" * 400, "(" * 400, "&a [*a, *a, *a]", "\t",
    ": :", "\n---\n", "\nkind: [a, b]\n", "\nkind: {a: 1}\n", "../.git/config",
    ".git/HEAD", '"\\u0024d"', "!!binary aGk=", "? [a]\n: b\n", "x" * 5000, "\r\n",
    "<!-- aireg:impact -->", "</details>```", "@everyone", "2026-13-45", "1.10",
    "!!python/object:os.system", "*unknown_alias", "%YAML 9.9\n---\n", "\\",
)

COMMANDS = (
    ("check", "--format", "json"),
    ("check", "--format", "sarif"),
    ("impact", "prompt/house-style", "--format", "markdown"),
    ("deps", "feature/support-bot"),
    ("render", "prompt/onboarding-welcome", "--var=first_name=A", "--var=workspace_name=W",
     "--var=team_size=3", "--var=use_case=U"),
    ("bom",),
    ("deprecations", "--format", "json"),
    ("orphans",),
    ("graph", "--format", "dot"),
    ("ls", "--format", "json"),
    ("lineage", "adapter/ticket-classifier"),
)


def _files() -> list[str]:
    return sorted(p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*")
                  if p.is_file() and p.suffix in (".yaml", ".yml", ".j2", ".md", ".txt"))


FILES = _files()


class Copy:
    """A git repository holding a copy of the example registry, shared by all examples."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(EXAMPLE, root)
        env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": "2026-01-01T12:00:00+00:00",
               "GIT_COMMITTER_DATE": "2026-01-01T12:00:00+00:00"}
        for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                     ["commit", "-q", "-m", "example"]):
            subprocess.run(["git", *args], cwd=root, env=env, check=True)


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Copy:
    return Copy(tmp_path_factory.mktemp("fuzz") / "acme")


def _mutate(data: bytes, how: str, at: float, width: float, snippet: str,
            noise: bytes) -> bytes:
    cut = int(at * len(data))
    end = min(len(data), cut + int(width * 200) + 1)
    match how:
        case "insert":
            return data[:cut] + snippet.encode() + data[cut:]
        case "replace":
            return data[:cut] + snippet.encode() + data[end:]
        case "bytes":
            return data[:cut] + noise + data[end:]
        case "delete":
            return data[:cut] + data[end:]
        case "lines":
            lines = data.splitlines(keepends=True)
            if not lines:
                return data
            i = int(at * len(lines)) % len(lines)
            j = int(width * len(lines)) % len(lines)
            lines[j] = lines[i]
            return b"".join(lines)
        case "truncate":
            return data[:cut]
        case _:  # another encoding of the same text
            return data.decode("utf-8").encode("utf-16")


MUTATIONS = ("insert", "replace", "bytes", "delete", "lines", "truncate", "utf-16")


def _run(capsysbinary: pytest.CaptureFixture[bytes], args: tuple[str, ...],
         root: Path, cache: bool) -> tuple[int, bytes, bytes]:
    from cli.main import main

    capsysbinary.readouterr()
    saved = os.environ.pop("AIREG_NO_CACHE", None)
    try:
        if not cache:
            os.environ["AIREG_NO_CACHE"] = "1"
        main(["-C", str(root), "--today", "2026-12-01", *args])
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0
    finally:
        os.environ.pop("AIREG_NO_CACHE", None)
        if saved is not None:
            os.environ["AIREG_NO_CACHE"] = saved
    out, err = capsysbinary.readouterr()
    return code, out, err


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(file=st.sampled_from(FILES), how=st.sampled_from(MUTATIONS),
       at=st.floats(0, 1), width=st.floats(0, 1), snippet=st.sampled_from(HOSTILE),
       noise=st.binary(min_size=1, max_size=8), command=st.sampled_from(COMMANDS))
@example(file="aireg.yaml", how="insert", at=1.0, width=0, noise=b"x",
         snippet='\n  include: ["' + "*" * 22 + 'x"]\n', command=COMMANDS[0])
@example(file="aireg.yaml", how="insert", at=1.0, width=0, noise=b"x",
         snippet='\n  exclude: ["[z-a]"]\n', command=COMMANDS[0])
@example(file="prompts/support-triage.yaml", how="insert", at=0.5, width=0, noise=b"x",
         snippet="\x00", command=COMMANDS[0])
@example(file="prompts/support-triage.yaml", how="insert", at=0.0, width=0, noise=b"x",
         snippet="\x07", command=COMMANDS[5])
@example(file="prompts/support-triage.yaml", how="utf-16", at=0.0, width=0, noise=b"x",
         snippet="", command=COMMANDS[0])
def test_no_crash_and_cache_matches(copy: Copy, capsysbinary: pytest.CaptureFixture[bytes],
                                    monkeypatch: pytest.MonkeyPatch, file: str, how: str,
                                    at: float, width: float, snippet: str, noise: bytes,
                                    command: tuple[str, ...]) -> None:
    from registry import cache as caching

    # The files were all just written; the test is whether the key sees the change.
    monkeypatch.setattr(caching, "FRESH_SECONDS", 0.0)
    path = copy.root / file
    original = path.read_bytes()
    try:
        path.write_bytes(_mutate(original, how, at, width, snippet, noise))
        plain = _run(capsysbinary, command, copy.root, cache=False)
        stored = _run(capsysbinary, command, copy.root, cache=True)
        replayed = _run(capsysbinary, command, copy.root, cache=True)
    finally:
        path.write_bytes(original)
    code, _, err = plain
    assert code in (0, 1, 2), err.decode(errors="replace")
    assert b"Traceback" not in err and b"internal error" not in err
    assert stored == plain
    assert replayed == plain
