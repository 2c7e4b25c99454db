"""`aireg bump` and `aireg deprecate` from the command line: the file on disk changes only
where it must (the edits themselves are tested in test_edit.py)."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, TEAM, GitRepo, Result, Run

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
                               "(prompts.yaml:15)\n", "")
    after = path.read_text(encoding="utf-8")
    assert after.splitlines()[15 - 1] == "  version: 3.2.0"  # the line named is the version's
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
        "sunset day 2027-01-31 is in 71 days (firm day declared in metadata.deprecation); move to "
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


# --- read-only files ------------------------------------------------------------------------
# The tests run as root, for whom every file is writable; the refusal follows the mode bits.


def test_bump_refuses_a_read_only_file_and_leaves_it(aireg: Run,
                                                     make_registry: Callable[..., Path]) -> None:
    root, path = registry(make_registry)
    before = path.read_bytes()
    path.chmod(0o444)
    result = aireg("-C", str(root), "bump", "prompt/house-style@^3", "minor")
    assert result == Result(2, "", "aireg: error: prompts.yaml is read-only; make it writable "
                                   "(chmod u+w) to edit it\n")
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert sorted(p.name for p in root.iterdir()) == ["aireg.yaml", "prompts.yaml", "teams"]


def test_deprecate_refuses_before_writing_any_file(aireg: Run,
                                                   make_registry: Callable[..., Path]) -> None:
    """Two files declare the versions; the second is read-only, so the first stays too."""
    first, second = PROMPTS.split("---\n")[:2]
    root = make_registry({"a.yaml": first, "b.yaml": second})
    before = {name: (root / name).read_bytes() for name in ("a.yaml", "b.yaml")}
    (root / "b.yaml").chmod(0o444)
    result = aireg("-C", str(root), "deprecate", "prompt/house-style", "--sunset", "2027-01-31")
    assert result == Result(2, "", "aireg: error: b.yaml is read-only; make it writable "
                                   "(chmod u+w) to edit it\n")
    assert {name: (root / name).read_bytes() for name in before} == before


# --- bumps that keep consumers whole, on a real repository ----------------------------------

HOUSE_STYLE = """\
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: house-style
  version: 2.4.0
  owner: team/platform
  deprecation: {sunset: 2027-06-30, replacement: prompt/house-style@^3}
spec:
  template: "v2"
---
# The v3 voice guide.
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: house-style
  version: 3.1.0   # bump on every template change
  owner: team/platform
spec:
  template: "v3"
"""
TRIAGE = """\
apiVersion: aireg/v1
kind: Prompt
metadata: {name: triage, version: 1.0.0, owner: team/platform}
spec:
  templateFile: triage.j2   # beside this file
  includes: [prompt/house-style@~3.1.0]
  variables: [ticket]
"""
TRIAGE_J2 = '{% include "prompt/house-style" %} {{ ticket }}\n'
BOT = """\
apiVersion: aireg/v1
kind: Feature
metadata: {name: bot, owner: team/platform}
spec:
  uses:
    - prompt/house-style@^2
    - prompt/house-style@^3
    - prompt/triage@^1
"""
STRANDED = (
    "would leave 3 refs to it unsatisfied (versions after the bump: 2.4.0, 4.0.0):\n"
    "  registry/features/bot.yaml:7:7: prompt/house-style@^3 in spec.uses of feature/bot\n"
    "  registry/prompts/house-style.yaml:7:50: prompt/house-style@^3 in "
    "metadata.deprecation.replacement of prompt/house-style@2.4.0\n"
    "  registry/prompts/triage.yaml:6:14: prompt/house-style@~3.1.0 in spec.includes of "
    "prompt/triage@1.0.0\n")
DAY = ("--today", "2026-01-10")


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    """A repository whose registry is in registry/: house-style 2.4.0 and 3.1.0, three refs
    that only 3.x satisfies (a feature's, a templateFile prompt's include, and 2.4.0's
    replacement), committed."""
    git_repo.commit("registry", {
        "registry/aireg.yaml": CONFIG, "registry/teams/platform.yaml": TEAM,
        "registry/prompts/house-style.yaml": HOUSE_STYLE, "registry/prompts/triage.yaml": TRIAGE,
        "registry/prompts/triage.j2": TRIAGE_J2,
        "registry/features/bot.yaml": BOT})
    return git_repo


def run_in(aireg: Run, repo: GitRepo, *args: str) -> Result:
    return aireg(*args, "-C", "registry", *DAY, cwd=repo.root)


def test_bump_refuses_to_strand_consumers_and_names_each(aireg: Run, repo: GitRepo) -> None:
    result = run_in(aireg, repo, "bump", "prompt/house-style", "major")
    assert result == Result(2, "", (
        "aireg: error: bumping prompt/house-style@3.1.0 to 4.0.0 in place " + STRANDED
        + "keep 3.1.0 and add 4.0.0 beside it with --alongside, update those refs first, or "
        "bump in place anyway with --force\n"))
    assert repo.git("status", "--porcelain") == ""


def test_bump_that_every_consumer_still_matches_goes_ahead(aireg: Run, repo: GitRepo) -> None:
    # ~3.1.0, ^3 and the replacement all take 3.1.1; nothing resolved to 2.4.0 is touched.
    assert run_in(aireg, repo, "bump", "prompt/house-style@^3", "patch") == Result(
        0, "prompt/house-style@3.1.0 -> prompt/house-style@3.1.1 "
           "(registry/prompts/house-style.yaml:16)\n", "")
    assert run_in(aireg, repo, "check").code == 0


def test_bump_force_goes_ahead_and_says_what_it_strands(aireg: Run, repo: GitRepo) -> None:
    result = run_in(aireg, repo, "bump", "prompt/house-style", "major", "--force")
    assert result == Result(
        0, "prompt/house-style@3.1.0 -> prompt/house-style@4.0.0 "
           "(registry/prompts/house-style.yaml:16)\n",
        "aireg: warning: bumping prompt/house-style@3.1.0 to 4.0.0 in place (--force) "
        + STRANDED.replace("would leave", "leaves"))
    assert repo.git("diff", "--numstat") == "1\t1\tregistry/prompts/house-style.yaml\n"
    assert [line.split(": error")[0] for line in run_in(aireg, repo, "check").out.splitlines()
            if "unsatisfied-ref" in line] == [
        "registry/features/bot.yaml:7:7", "registry/prompts/house-style.yaml:7:50",
        "registry/prompts/triage.yaml:6:14"]


COPY = """\
---
# The v3 voice guide.
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: house-style
  version: 4.0.0   # bump on every template change
  owner: team/platform
spec:
  template: "v3"
"""


def test_bump_alongside_adds_a_copy_and_leaves_the_old_version(aireg: Run,
                                                              repo: GitRepo) -> None:
    result = run_in(aireg, repo, "bump", "prompt/house-style", "major", "--alongside")
    assert result == Result(0, "prompt/house-style@4.0.0 added beside prompt/house-style@3.1.0 "
                               "(registry/prompts/house-style.yaml:22)\n", "")
    path = repo.root / "registry" / "prompts" / "house-style.yaml"
    assert path.read_text(encoding="utf-8") == HOUSE_STYLE + COPY
    assert path.read_text(encoding="utf-8").splitlines()[21] == "apiVersion: aireg/v1"
    # Every consumer still resolves; the new version waits for its first one.
    check = run_in(aireg, repo, "check")
    assert check.code == 0
    assert run_in(aireg, repo, "show", "prompt/house-style@^4").out.splitlines()[:2] == [
        "prompt/house-style@4.0.0  (Prompt)", "  file:        registry/prompts/house-style.yaml:22"]


TRIAGE_COPY = "---\n" + TRIAGE.replace("1.0.0", "1.1.0").replace("triage.j2", "triage-1.1.0.j2")
OWN_TEMPLATE = (", with its own template registry/prompts/triage-1.1.0.j2 copied from "
                "registry/prompts/triage.j2")


def render_triage(aireg: Run, repo: GitRepo, version: str) -> Result:
    return run_in(aireg, repo, "render", f"prompt/triage@{version}", "--var", "ticket=T-1")


def test_bump_alongside_a_template_file_prompt_copies_the_template(aireg: Run,
                                                                   repo: GitRepo) -> None:
    result = run_in(aireg, repo, "bump", "prompt/triage", "minor", "--alongside")
    assert result == Result(0, "prompt/triage@1.1.0 added beside prompt/triage@1.0.0 "
                               "(registry/prompts/triage.yaml:9)" + OWN_TEMPLATE + "\n", "")
    prompts = repo.root / "registry" / "prompts"
    assert (prompts / "triage.yaml").read_text(encoding="utf-8") == TRIAGE + TRIAGE_COPY
    assert (prompts / "triage-1.1.0.j2").read_bytes() == (prompts / "triage.j2").read_bytes()
    assert repo.git("status", "--porcelain") == (" M registry/prompts/triage.yaml\n"
                                                 "?? registry/prompts/triage-1.1.0.j2\n")
    assert run_in(aireg, repo, "check").code == 0
    # The new version's template is its own: editing it leaves the old version as it was,
    # so against the base only a new version appears, and nothing was changed in place.
    (prompts / "triage-1.1.0.j2").write_text(TRIAGE_J2.replace("}}", "}}, kindly"),
                                             encoding="utf-8")
    assert render_triage(aireg, repo, "1.0.0") == Result(0, "v3 T-1\n", "")
    assert render_triage(aireg, repo, "1.1.0") == Result(0, "v3 T-1, kindly\n", "")
    assert (prompts / "triage.j2").read_text(encoding="utf-8") == TRIAGE_J2
    based = run_in(aireg, repo, "check", "--base", "HEAD")
    assert (based.code, based.err) == (0, "")
    assert "version-not-bumped" not in based.out


def test_bump_alongside_names_the_copy_after_the_version_in_the_old_name(
        aireg: Run, make_registry: Callable[..., Path]) -> None:
    """The old version in the file name becomes the new one; the folder and the quotes stay;
    the copy keeps the template's bytes (CRLF here)."""
    prompt = ("apiVersion: aireg/v1\nkind: Prompt\n"
              "metadata: {name: reply, version: 1.0.0, owner: team/platform}\n"
              "spec:\n  templateFile: 'v1.0.0/reply@1.0.0.txt'\n")
    template = b"Hello\r\nthere\r\n"
    root = make_registry({"reply.yaml": prompt, "v1.0.0/reply@1.0.0.txt": template})
    result = aireg("-C", str(root), "bump", "prompt/reply", "patch", "--alongside")
    assert result == Result(0, "prompt/reply@1.0.1 added beside prompt/reply@1.0.0 "
                               "(reply.yaml:7), with its own template v1.0.0/reply@1.0.1.txt "
                               "copied from v1.0.0/reply@1.0.0.txt\n", "")
    assert (root / "reply.yaml").read_text(encoding="utf-8") == (
        prompt + "---\n" + prompt.replace("version: 1.0.0", "version: 1.0.1")
        .replace("reply@1.0.0", "reply@1.0.1"))
    assert (root / "v1.0.0" / "reply@1.0.1.txt").read_bytes() == template
    assert aireg("-C", str(root), "check").code == 0


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)], ids=["write", "dry-run"])
def test_bump_alongside_refuses_when_the_template_copy_exists(aireg: Run, repo: GitRepo,
                                                              dry_run: tuple[str, ...]) -> None:
    repo.commit("a file in the way", {"registry/prompts/triage-1.1.0.j2": "mine\n"})
    result = run_in(aireg, repo, "bump", "prompt/triage", "minor", "--alongside", *dry_run)
    assert result == Result(2, "", "aireg: error: registry/prompts/triage-1.1.0.j2 already "
                                   "exists, and prompt/triage@1.1.0 needs a template of its own "
                                   "there; move that file away, then run again (nothing was "
                                   "written)\n")
    assert repo.git("status", "--porcelain") == ""


def dry_run_and_apply(aireg: Run, repo: GitRepo, *args: str) -> tuple[Result, str]:
    """Run an edit with --dry-run (nothing may change), then apply its diff with git apply
    from the repository root and return what the edit would have written."""
    result = run_in(aireg, repo, *args, "--dry-run")
    assert repo.git("status", "--porcelain") == ""
    patch = repo.root.parent / "edit.patch"
    patch.write_text(result.out, encoding="utf-8")
    repo.git("apply", str(patch))
    return result, repo.git("diff")


def test_bump_dry_run_prints_the_diff_and_writes_nothing(aireg: Run, repo: GitRepo) -> None:
    result, applied = dry_run_and_apply(aireg, repo, "bump", "prompt/house-style@^3", "patch")
    assert result == Result(0, (
        "--- a/registry/prompts/house-style.yaml\n"
        "+++ b/registry/prompts/house-style.yaml\n"
        "@@ -13,7 +13,7 @@\n"
        " kind: Prompt\n"
        " metadata:\n"
        "   name: house-style\n"
        "-  version: 3.1.0   # bump on every template change\n"
        "+  version: 3.1.1   # bump on every template change\n"
        "   owner: team/platform\n"
        " spec:\n"
        '   template: "v3"\n'),
        "prompt/house-style@3.1.0 -> prompt/house-style@3.1.1 "
        "(registry/prompts/house-style.yaml:16); nothing written (--dry-run)\n")
    repo.git("checkout", "--", ".")
    assert run_in(aireg, repo, "bump", "prompt/house-style@^3", "patch").code == 0
    assert repo.git("diff") == applied  # the diff is exactly the edit


def test_bump_alongside_dry_run(aireg: Run, repo: GitRepo) -> None:
    result, applied = dry_run_and_apply(aireg, repo, "bump", "prompt/house-style", "major",
                                        "--alongside")
    assert result == Result(0, (
        "--- a/registry/prompts/house-style.yaml\n"
        "+++ b/registry/prompts/house-style.yaml\n"
        "@@ -17,3 +17,13 @@\n"
        "   owner: team/platform\n"
        " spec:\n"
        '   template: "v3"\n'
        + "".join(f"+{line}\n" for line in COPY.splitlines())),
        "prompt/house-style@4.0.0 added beside prompt/house-style@3.1.0 "
        "(registry/prompts/house-style.yaml:22); nothing written (--dry-run)\n")
    repo.git("checkout", "--", ".")
    assert run_in(aireg, repo, "bump", "prompt/house-style", "major", "--alongside").code == 0
    assert repo.git("diff") == applied


def test_bump_alongside_dry_run_of_a_template_file_prompt(aireg: Run, repo: GitRepo) -> None:
    result = run_in(aireg, repo, "bump", "prompt/triage", "minor", "--alongside", "--dry-run")
    assert result == Result(0, (
        "--- /dev/null\n"
        "+++ b/registry/prompts/triage-1.1.0.j2\n"
        "@@ -0,0 +1 @@\n"
        f"+{TRIAGE_J2}"
        "--- a/registry/prompts/triage.yaml\n"
        "+++ b/registry/prompts/triage.yaml\n"
        "@@ -5,3 +5,11 @@\n"
        "   templateFile: triage.j2   # beside this file\n"
        "   includes: [prompt/house-style@~3.1.0]\n"
        "   variables: [ticket]\n"
        + "".join(f"+{line}\n" for line in TRIAGE_COPY.splitlines())),
        "prompt/triage@1.1.0 added beside prompt/triage@1.0.0 (registry/prompts/triage.yaml:9)"
        + OWN_TEMPLATE + "; nothing written (--dry-run)\n")
    assert repo.git("status", "--porcelain") == ""
    # git apply makes exactly the files the bump writes.
    patch = repo.root.parent / "edit.patch"
    patch.write_text(result.out, encoding="utf-8")
    repo.git("apply", str(patch))
    names = ("triage.yaml", "triage-1.1.0.j2")
    prompts = repo.root / "registry" / "prompts"
    applied = {name: (prompts / name).read_bytes() for name in names}
    repo.git("checkout", "--", ".")
    (prompts / "triage-1.1.0.j2").unlink()
    assert run_in(aireg, repo, "bump", "prompt/triage", "minor", "--alongside").code == 0
    assert {name: (prompts / name).read_bytes() for name in names} == applied


def test_bump_dry_run_is_refused_like_the_bump(aireg: Run, repo: GitRepo) -> None:
    result = run_in(aireg, repo, "bump", "prompt/house-style", "major", "--dry-run")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("aireg: error: bumping prompt/house-style@3.1.0 to 4.0.0 in "
                                 "place would leave 3 refs")


def test_deprecate_dry_run_prints_a_diff_for_each_file(aireg: Run, repo: GitRepo) -> None:
    result, applied = dry_run_and_apply(aireg, repo, "deprecate", "prompt/triage", "--sunset",
                                        "2027-03-31", "--reason", "merged into support")
    assert result == Result(0, (
        "--- a/registry/prompts/triage.yaml\n"
        "+++ b/registry/prompts/triage.yaml\n"
        "@@ -1,6 +1,6 @@\n"
        " apiVersion: aireg/v1\n"
        " kind: Prompt\n"
        "-metadata: {name: triage, version: 1.0.0, owner: team/platform}\n"
        "+metadata: {name: triage, version: 1.0.0, owner: team/platform, deprecation: "
        "{announced: 2026-01-10, sunset: 2027-03-31, reason: merged into support}}\n"
        " spec:\n"
        "   templateFile: triage.j2   # beside this file\n"
        "   includes: [prompt/house-style@~3.1.0]\n"),
        "prompt/triage@1.0.0: deprecated, sunset 2027-03-31 (registry/prompts/triage.yaml); "
        "nothing written (--dry-run)\n")
    repo.git("checkout", "--", ".")
    assert run_in(aireg, repo, "deprecate", "prompt/triage", "--sunset", "2027-03-31",
                  "--reason", "merged into support").code == 0
    assert repo.git("diff") == applied


def test_deprecate_dry_run_of_two_files(aireg: Run, repo: GitRepo) -> None:
    repo.commit("house-style 3.5", {"registry/prompts/house-style-3.5.yaml": HOUSE_STYLE.split(
        "---\n")[1].replace("3.1.0", "3.5.0")})
    result, applied = dry_run_and_apply(aireg, repo, "deprecate", "prompt/house-style@^3",
                                        "--sunset", "2027-03-31")
    assert result.code == 0
    assert [line for line in result.out.splitlines() if line.startswith(("---", "+++"))] == [
        "--- a/registry/prompts/house-style-3.5.yaml",
        "+++ b/registry/prompts/house-style-3.5.yaml",
        "--- a/registry/prompts/house-style.yaml", "+++ b/registry/prompts/house-style.yaml"]
    assert result.err == (
        "prompt/house-style@3.1.0: deprecated, sunset 2027-03-31 "
        "(registry/prompts/house-style.yaml); nothing written (--dry-run)\n"
        "prompt/house-style@3.5.0: deprecated, sunset 2027-03-31 "
        "(registry/prompts/house-style-3.5.yaml); nothing written (--dry-run)\n")
    repo.git("checkout", "--", ".")
    assert run_in(aireg, repo, "deprecate", "prompt/house-style@^3", "--sunset",
                  "2027-03-31").code == 0
    assert repo.git("diff") == applied
