"""examples/app: an application adopted with `aireg import`, clean under `check --scan`, and
exactly what the imports write when the adoption is done again from its sources."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO_ROOT, Run

APP = REPO_ROOT / "examples" / "app"
# Written by hand in the adoption (README): the hosted pins and the feature.
BY_HAND = ("registry/models/api-pins.yaml", "registry/features/helpdesk.yaml",
           "registry/teams/support.yaml", "aireg.yaml")
IMPORTS = [("peft", "adapters"), ("mcp", ".mcp.json"), ("dotprompt", "prompts"),
           ("promptfoo", "evals")]


def test_the_example_scans_to_a_clean_check(aireg: Run) -> None:
    result = aireg("-C", str(APP), "check", "--scan", str(APP))
    assert (result.code, result.out) == (0, "All checks passed: 13 declarations in 11 files.\n")


def test_importing_the_example_again_changes_nothing(aireg: Run) -> None:
    for kind, path in IMPORTS:
        result = aireg("-C", str(APP), "import", kind, str(APP / path), "--dry-run")
        assert result.code == 0, result.err
        assert result.out == ""  # no diff: every declaration is as the import writes it
        assert "unchanged" in result.err


def test_the_adoption_from_scratch_writes_the_example(tmp_path: Path, aireg: Run) -> None:
    root = tmp_path / "app"
    imported = {p.relative_to(APP).as_posix() for p in (APP / "registry").rglob("*.yaml")
                } - set(BY_HAND)
    shutil.copytree(APP, root, ignore=lambda folder, names: [
        n for n in names if (Path(folder) / n).relative_to(APP).as_posix() in imported])
    hand_written = {rel: (root / rel).read_text() for rel in BY_HAND[:2]}
    for rel in BY_HAND[:2]:
        (root / rel).unlink()
    run = [("peft", "adapters"), ("mcp", ".mcp.json")]
    for kind, path in run:
        assert aireg("import", kind, path, "--owner", "team/support", "-o", "registry",
                     cwd=root).code == 0
    (root / BY_HAND[0]).write_text(hand_written[BY_HAND[0]])
    for kind, path in IMPORTS[2:]:
        result = aireg("import", kind, path, "--owner", "team/support", "-o", "registry",
                       cwd=root)
        assert (result.code, result.err) == (0, "")
    (root / BY_HAND[1]).write_text(hand_written[BY_HAND[1]])
    check = aireg("check", "--scan", ".", cwd=root)
    assert check.out == "All checks passed: 13 declarations in 11 files.\n"
    for rel in sorted(imported):
        # The same but for the paths (from another repository root), and so the digests of
        # fields that hold a path.
        expected = _fields_keys((APP / rel).read_text().replace("examples/app/", ""))
        assert _fields_keys((root / rel).read_text()) == expected, rel


def _fields_keys(text: str) -> str:
    import re

    return re.sub(r"=[0-9a-f]{8}", "", text)
