"""`aireg bump` and `aireg deprecate` from the command line: the file on disk changes only
where it must (the edits themselves are tested in test_edit.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result, Run

PROMPTS = """\
# House style, shared by every assistant.
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: house-style
  version: "2.4.0"     # quoted on purpose
  owner: team/platform
spec:
  template: "v2"
---
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: house-style
  version: 3.1.0
  owner: team/platform
  # the v3 voice guide
spec:
  template: "v3"
---
apiVersion: aireg/v1
kind: Feature
metadata: {name: bot, owner: team/platform}
spec:
  uses: [prompt/house-style@^3, prompt/house-style@^2]
"""


def registry(make_registry: Callable[..., Path]) -> tuple[Path, Path]:
    root = make_registry({"prompts.yaml": PROMPTS})
    return root, root / "prompts.yaml"


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=False)
            if a != b]


def test_bump_changes_one_line(aireg: Run, make_registry: Callable[..., Path]) -> None:
    root, path = registry(make_registry)
    before = path.read_text(encoding="utf-8")
    result = aireg("-C", str(root), "bump", "prompt/house-style@^3", "minor")
    assert result == Result(0, "prompt/house-style@3.1.0 -> prompt/house-style@3.2.0 "
                               "(prompts.yaml:11)\n", "")
    after = path.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [("  version: 3.1.0", "  version: 3.2.0")]
    assert len(after.splitlines()) == len(before.splitlines())


def test_bump_keeps_quotes_and_comments(aireg: Run, make_registry: Callable[..., Path]) -> None:
    root, path = registry(make_registry)
    before = path.read_text(encoding="utf-8")
    assert aireg("-C", str(root), "bump", "prompt/house-style@2.4.0", "patch").code == 0
    assert changed_lines(before, path.read_text(encoding="utf-8")) == [
        ('  version: "2.4.0"     # quoted on purpose',
         '  version: "2.4.1"     # quoted on purpose')]


def test_bump_to_a_version_already_declared_is_refused(
        aireg: Run, make_registry: Callable[..., Path]) -> None:
    root = make_registry({"p.yaml": PROMPTS.replace('"2.4.0"', '"3.2.0"')})
    before = (root / "p.yaml").read_text(encoding="utf-8")
    result = aireg("-C", str(root), "bump", "prompt/house-style@3.1.0", "minor")
    assert result == Result(2, "", "aireg: error: prompt/house-style@3.2.0 is already declared; "
                                   "choose another part, or edit by hand\n")
    assert (root / "p.yaml").read_text(encoding="utf-8") == before


def test_bump_edits_the_working_tree_only(aireg: Run,
                                          make_registry: Callable[..., Path]) -> None:
    root, _ = registry(make_registry)
    assert aireg("-C", str(root), "--rev", "HEAD", "bump", "prompt/house-style", "patch") == \
        Result(2, "", "aireg: error: bump edits the files in the working tree; drop --rev\n")


def test_deprecate_adds_a_block_after_the_metadata(aireg: Run,
                                                   make_registry: Callable[..., Path]) -> None:
    root, path = registry(make_registry)
    before = path.read_text(encoding="utf-8")
    result = aireg("--today", "2026-11-21", "-C", str(root), "deprecate", "prompt/house-style@^2",
                   "--sunset", "2027-01-31", "--replacement", "prompt/house-style@^3",
                   "--reason", "superseded: see the v3 guide")
    assert result == Result(0, "prompt/house-style@2.4.0: deprecated, sunset 2027-01-31 "
                               "(prompts.yaml)\n", "")
    after = path.read_text(encoding="utf-8")
    inserted = [
        "  deprecation:",
        "    announced: 2026-11-21",
        "    sunset: 2027-01-31",
        "    replacement: prompt/house-style@^3",
        '    reason: "superseded: see the v3 guide"',
    ]
    lines = before.splitlines()
    assert after.splitlines() == [*lines[:7], *inserted, *lines[7:]]
    # The feature's ^2 ref now reports the coming sunset, at that ref.
    check = aireg("--today", "2026-11-21", "-C", str(root), "check")
    assert [line for line in check.out.splitlines() if "sunset-soon" in line] == [
        "prompts.yaml:30:33: warning[sunset-soon] feature/bot uses prompt/house-style@2.4.0, whose "
        "sunset day 2027-01-31 is in 71 days (declared in metadata.deprecation); move to "
        "prompt/house-style@^3; features hit through this ref: feature/bot"]


def test_deprecate_with_an_unknown_replacement_changes_nothing(
        aireg: Run, make_registry: Callable[..., Path]) -> None:
    root, path = registry(make_registry)
    before = path.read_text(encoding="utf-8")
    result = aireg("-C", str(root), "deprecate", "prompt/house-style@^2", "--sunset",
                   "2027-01-31", "--replacement", "prompt/house-styel@^3")
    assert result == Result(2, "", "aireg: error: prompt/house-styel is not declared (did you "
                                   "mean prompt/house-style?); run `aireg ls` to see what is\n")
    assert path.read_text(encoding="utf-8") == before
