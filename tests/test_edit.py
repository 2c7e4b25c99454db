"""Surgical YAML edits (`aireg bump`, `aireg deprecate`, SPEC section 10): only the lines that
must change do, comments and quoting are kept, and files are written atomically."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.edit import (
    add_version_alongside,
    bump_version,
    check_writable,
    set_deprecation,
    set_template_file,
    set_version,
    template_copy_name,
    unified_diff,
    write_atomic,
)
from registry.findings import AiregError

TODAY = dt.date(2026, 9, 1)
SUNSET = dt.date(2027, 1, 31)

# Three documents: block metadata indented by 2, block metadata indented by 4 with a quoted
# version and a folded description, and flow metadata. Comments everywhere.
FILE = """\
# Support prompts, owned by team/support.
# Edit with care: the support bot reads these.

apiVersion: aireg/v1
kind: Prompt
metadata:
  # the name never changes
  name: support-triage     # referenced by feature/support-bot
  version: 1.4.0           # bump on every template change
  owner: team/support
  labels: {tier: shared}
  # end of metadata
spec:
  template: |
    Classify the ticket from {{ customer_name }}.
  variables: [customer_name]   # inputs
---
# The legacy prompt, kept while consumers migrate.
apiVersion: aireg/v1
kind: Prompt
metadata:
    name: support-triage-legacy
    version: "0.9.2"   # quoted on purpose
    owner: team/support
    description: >
        Old triage prompt,
        kept for the mobile app.

spec:
    template: "Classify: {{ text }}"
    variables: [text]
---
apiVersion: aireg/v1
kind: Dataset
metadata: {name: support-tickets, version: '2.0.0-rc.1', owner: team/data}  # flow
spec:
  license: CC-BY-4.0   # SPDX
  records: 847
# end of file
"""

Change = tuple[str, int, list[str], list[str]]


def changes(before: str, after: str) -> list[Change]:
    """Every difference between two texts, line by line (line breaks included): the kind of
    change, the 0-based line in `before`, the old lines and the new ones."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(tag, i1, old[i1:i2], new[j1:j2])
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def docs(text: str) -> list[Any]:
    """The documents, read by both PyYAML readers (they must agree)."""
    fast = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    assert list(yaml.safe_load_all(text)) == fast
    return fast


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


# --- bump_version ---------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "part", "expected"), [
    ("1.2.3", "major", "2.0.0"),
    ("1.2.3", "minor", "1.3.0"),
    ("1.2.3", "patch", "1.2.4"),
    ("0.0.0", "patch", "0.0.1"),
    ("0.9.9", "minor", "0.10.0"),
    ("9.99.999", "major", "10.0.0"),
    ("2.0.0-rc.1", "major", "2.0.0"),
    ("2.1.0-rc.1", "major", "3.0.0"),
    ("2.0.1-rc.1", "major", "3.0.0"),
    ("2.0.0-rc.1", "minor", "2.0.0"),
    ("1.3.0-beta", "minor", "1.3.0"),
    ("1.2.4-rc.1", "minor", "1.3.0"),
    ("1.2.4-rc.1", "patch", "1.2.4"),
    ("2.0.0-rc.1", "patch", "2.0.0"),
    ("1.2.3+build.5", "patch", "1.2.4"),
    ("1.2.3-alpha.1+build", "patch", "1.2.3"),
    ("1.2.3+build", "major", "2.0.0"),
])
def test_bump_version(version: str, part: Any, expected: str) -> None:
    assert bump_version(version, part) == expected


@pytest.mark.parametrize("version", ["1.2", "v1.2.3", "01.2.3", "1.2.3.4", ""])
def test_bump_version_refuses_what_is_not_semver(version: str) -> None:
    with pytest.raises(AiregError, match="not a SemVer version"):
        bump_version(version, "patch")


def test_bump_version_refuses_an_unknown_part() -> None:
    with pytest.raises(AiregError, match="major, minor or patch"):
        bump_version("1.0.0", "micro")  # type: ignore[arg-type]


# --- set_version ----------------------------------------------------------------------------


def test_set_version_changes_one_line_of_the_first_document() -> None:
    after = set_version(FILE, 0, "1.5.0")
    line = line_of(FILE, "version: 1.4.0")
    assert changes(FILE, after) == [(
        "replace", line,
        ["  version: 1.4.0           # bump on every template change\n"],
        ["  version: 1.5.0           # bump on every template change\n"],
    )]
    before_docs, after_docs = docs(FILE), docs(after)
    assert after_docs[0]["metadata"]["version"] == "1.5.0"
    before_docs[0]["metadata"]["version"] = "1.5.0"
    assert after_docs == before_docs


def test_set_version_keeps_double_quotes_in_a_later_document() -> None:
    after = set_version(FILE, 1, "0.9.3")
    assert changes(FILE, after) == [(
        "replace", line_of(FILE, '"0.9.2"'),
        ['    version: "0.9.2"   # quoted on purpose\n'],
        ['    version: "0.9.3"   # quoted on purpose\n'],
    )]
    assert [d["metadata"]["version"] for d in docs(after)] == ["1.4.0", "0.9.3", "2.0.0-rc.1"]


def test_set_version_keeps_single_quotes_in_a_flow_mapping() -> None:
    after = set_version(FILE, 2, bump_version("2.0.0-rc.1", "major"))
    assert changes(FILE, after) == [(
        "replace", line_of(FILE, "'2.0.0-rc.1'"),
        ["metadata: {name: support-tickets, version: '2.0.0-rc.1', owner: team/data}  # flow\n"],
        ["metadata: {name: support-tickets, version: '2.0.0', owner: team/data}  # flow\n"],
    )]
    assert docs(after)[2]["metadata"] == {
        "name": "support-tickets", "version": "2.0.0", "owner": "team/data"}


@pytest.mark.parametrize(("written", "expected"), [
    ("version: 1.0.0", "version: 2.0.0"),
    ("version: '1.0.0'", "version: '2.0.0'"),
    ('version: "1.0.0"', 'version: "2.0.0"'),
    ("version: !!str 1.0.0", "version: !!str 2.0.0"),
    ("version:    1.0.0    # spaced", "version:    2.0.0    # spaced"),
    ('"version": 1.0.0', '"version": 2.0.0'),
])
def test_set_version_keeps_the_way_the_version_is_written(written: str, expected: str) -> None:
    before = f"kind: Prompt\nmetadata:\n  name: a\n  {written}\n  owner: team/x\n"
    assert set_version(before, 0, "2.0.0") == before.replace(written, expected)


def test_set_version_on_the_next_line_after_its_key() -> None:
    before = "metadata:\n  name: a\n  version:   # the version\n    1.0.0\n"
    after = set_version(before, 0, "1.0.1")
    assert after == before.replace("    1.0.0", "    1.0.1")


def test_set_version_keeps_crlf_bom_and_a_missing_final_newline() -> None:
    before = "\ufeffkind: Prompt\r\nmetadata:\r\n  name: a\r\n  version: 1.0.0"
    after = set_version(before, 0, "1.1.0")
    assert after == "\ufeffkind: Prompt\r\nmetadata:\r\n  name: a\r\n  version: 1.1.0"


def test_set_version_keeps_document_markers_and_empty_documents() -> None:
    before = ("%YAML 1.1\n---\nmetadata: {name: a, version: 1.0.0}\n...\n"
              "---\n---\n# only a comment\n")
    after = set_version(before, 0, "1.0.1")
    assert after == before.replace("1.0.0", "1.0.1")
    assert len(docs(after)) == 3


# --- add_version_alongside ----------------------------------------------------------------


def test_alongside_copies_the_first_document_with_the_comments_above_it() -> None:
    after, line = add_version_alongside(FILE, 0, "1.5.0")
    first = FILE.split("\n---\n")[0]
    copy = first.replace("version: 1.4.0 ", "version: 1.5.0 ")
    assert after == FILE + "---\n" + copy + "\n"
    assert line == FILE.count("\n") + 2 + 3  # after `---` and the three lines above apiVersion
    assert after.splitlines()[line - 1] == "apiVersion: aireg/v1"
    assert docs(after)[:3] == docs(FILE)
    assert docs(after)[3] == {**docs(FILE)[0], "metadata": {**docs(FILE)[0]["metadata"],
                                                           "version": "1.5.0"}}


def test_alongside_copies_a_later_document_from_the_line_after_its_marker() -> None:
    after, _ = add_version_alongside(FILE, 1, "1.0.0")
    second = FILE.split("\n---\n")[1]
    assert after == FILE + "---\n" + second.replace('"0.9.2"', '"1.0.0"') + "\n"
    assert second.startswith("# The legacy prompt, kept while consumers migrate.\n")
    assert second.endswith("    variables: [text]")


def test_alongside_keeps_a_comment_on_the_last_line_and_leaves_later_ones_out() -> None:
    after, _ = add_version_alongside(FILE, 2, "2.0.0")
    copy = ("apiVersion: aireg/v1\nkind: Dataset\n"
            "metadata: {name: support-tickets, version: '2.0.0', owner: team/data}  # flow\n"
            "spec:\n  license: CC-BY-4.0   # SPDX\n  records: 847\n")
    assert after == FILE + "---\n" + copy


def test_alongside_keeps_crlf_a_byte_order_mark_and_a_missing_final_newline() -> None:
    before = "\ufeffkind: Prompt\r\nmetadata:\r\n  name: a\r\n  version: 1.0.0"
    assert add_version_alongside(before, 0, "2.0.0") == (
        before + "\r\n---\r\nkind: Prompt\r\nmetadata:\r\n  name: a\r\n  version: 2.0.0", 6)


@pytest.mark.parametrize(("before", "after"), [
    ("--- {metadata: {name: a, version: 1.0.0}}\n",
     "--- {metadata: {name: a, version: 1.0.0}}\n---\n{metadata: {name: a, version: 1.1.0}}\n"),
    ("--- # a\nmetadata: {name: a, version: 1.0.0}\n...\n",
     "--- # a\nmetadata: {name: a, version: 1.0.0}\n...\n"
     "---\nmetadata: {name: a, version: 1.1.0}\n"),
    ("%YAML 1.1\n---\nmetadata: {name: a, version: 1.0.0}\n---\n",
     "%YAML 1.1\n---\nmetadata: {name: a, version: 1.0.0}\n---\n---\n"
     "metadata: {name: a, version: 1.1.0}\n"),
], ids=["root on the marker line", "comment on the marker line", "directive, empty document"])
def test_alongside_finds_where_a_document_starts(before: str, after: str) -> None:
    assert add_version_alongside(before, 0, "1.1.0")[0] == after
    assert docs(after)[:-1] == docs(before)


def test_alongside_refuses_what_an_in_place_bump_refuses() -> None:
    text = "x: 1\n---\nv: &v 1.0.0\nmetadata:\n  name: a\n  version: *v\n"
    with pytest.raises(AiregError, match=r"metadata.version \(line 6\) is a YAML alias"):
        add_version_alongside(text, 1, "2.0.0")


def test_alongside_copies_the_kept_line_breaks_of_a_last_block_scalar() -> None:
    before = "metadata: {name: a, version: 1.0.0}\nspec:\n  template: |+\n    hi\n\n# end\n"
    after, _ = add_version_alongside(before, 0, "2.0.0")
    assert after == before + "---\n" + before.replace("1.0.0", "2.0.0").removesuffix("# end\n")
    assert docs(after)[1]["spec"]["template"] == "hi\n\n"


def test_alongside_refuses_a_copy_that_would_not_read_on_its_own() -> None:
    # A tag handle from a %TAG directive: the directive belongs to the old document only.
    text = "%TAG !y! tag:yaml.org,2002:\n---\nmetadata: !y!map {name: a, version: 1.0.0}\n"
    with pytest.raises(AiregError, match=r"^aireg could not add a copy of document 1 safely, "
                       r"so it left the file unchanged; copy the declaration by hand \(the file "
                       r"does not read as YAML"):
        add_version_alongside(text, 0, "2.0.0")


def test_alongside_every_example_declaration() -> None:
    for path, index in EXAMPLE_DOCUMENTS:
        before = path.read_text("utf-8")
        meta = docs(before)[index]["metadata"]
        if "version" not in meta:
            continue
        new = bump_version(meta["version"], "major")
        after, line = add_version_alongside(before, index, new)
        assert after.startswith(before), path
        read = docs(after)
        assert read[:-1] == docs(before)
        assert read[-1] == {**read[index], "metadata": {**meta, "version": new}}
        assert after.splitlines()[line - 1] == "apiVersion: aireg/v1", (path, index)


# --- a templateFile of its own -------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), [
    ("reply.j2", "reply-1.0.1.j2"),
    ("reply-1.0.0.j2", "reply-1.0.1.j2"),
    ("reply@1.0.0.j2", "reply@1.0.1.j2"),
    ("v1.0.0/reply.j2", "v1.0.0/reply-1.0.1.j2"),  # only the file name is looked at
    ("../shared/reply_v1.0.0.md", "../shared/reply_v1.0.1.md"),
    ("reply-11.0.0.j2", "reply-11.0.0-1.0.1.j2"),  # not the version 1.0.0
    ("reply-1.0.0.1.j2", "reply-1.0.0.1-1.0.1.j2"),
    ("reply", "reply-1.0.1"),
    ("reply.md.j2", "reply.md-1.0.1.j2"),
])
def test_template_copy_name(old: str, new: str) -> None:
    assert template_copy_name(old, "1.0.0", "1.0.1") == new


@pytest.mark.parametrize(("written", "copy"), [
    ("templateFile: reply.j2   # beside", "templateFile: reply-2.0.0.j2   # beside"),
    ('templateFile: "reply.j2"', 'templateFile: "reply-2.0.0.j2"'),
    ("templateFile: 'reply.j2'", "templateFile: 'reply-2.0.0.j2'"),
    ("templateFile: !!str reply.j2", "templateFile: !!str reply-2.0.0.j2"),
    ("{templateFile: reply.j2, variables: [a]}", "{templateFile: reply-2.0.0.j2, variables: [a]}"),
], ids=["plain", "double", "single", "tagged", "flow"])
def test_alongside_gives_the_copy_its_own_template_file(written: str, copy: str) -> None:
    spec = "spec:\n  " + written if written.startswith("t") else "spec: " + written
    before = f"metadata: {{name: a, version: 1.0.0}}\n{spec}\n"
    after, line = add_version_alongside(before, 0, "2.0.0", "reply-2.0.0.j2")
    assert after == before + "---\n" + before.replace("1.0.0", "2.0.0").replace(written, copy)
    assert line == (4 if written.startswith("{") else 5)
    assert docs(after)[1]["spec"]["templateFile"] == "reply-2.0.0.j2"


def test_set_template_file_quotes_a_name_plain_would_misread() -> None:
    before = "metadata: {name: a, version: 1.0.0}\nspec:\n  templateFile: reply.j2\n"
    assert set_template_file(before, 0, "#1.j2") == before.replace("reply.j2", '"#1.j2"')


@pytest.mark.parametrize(("spec", "message"), [
    ("spec:\n  templateFile: >-\n    reply.j2\n", r"spec.templateFile \(line 3\) is written "
     r"over several lines"),
    ("x: &t reply.j2\nspec:\n  templateFile: *t\n", r"spec.templateFile \(line 4\) is a "
     r"YAML alias"),
    ("base: &b {templateFile: reply.j2}\nspec:\n  <<: *b\n", r"spec.templateFile of document "
     r"1 is not written in the document itself"),
], ids=["folded", "alias", "merge key"])
def test_set_template_file_refuses_what_it_cannot_rewrite(spec: str, message: str) -> None:
    with pytest.raises(AiregError, match=message):
        set_template_file("metadata: {name: a, version: 1.0.0}\n" + spec, 0, "r.j2")


# --- unified_diff -------------------------------------------------------------------------


def test_unified_diff_names_a_and_b_paths() -> None:
    before = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n"
    assert unified_diff("registry/p.yaml", before, before.replace("c: 3", "c: 4")) == (
        "--- a/registry/p.yaml\n+++ b/registry/p.yaml\n@@ -1,5 +1,5 @@\n"
        " a: 1\n b: 2\n-c: 3\n+c: 4\n d: 4\n e: 5\n")


def test_unified_diff_marks_a_missing_final_newline_and_keeps_carriage_returns() -> None:
    assert unified_diff("p.yaml", "a: 1\r\nb: 2", "a: 1\r\nb: 3") == (
        "--- a/p.yaml\n+++ b/p.yaml\n@@ -1,2 +1,2 @@\n a: 1\r\n"
        "-b: 2\n\\ No newline at end of file\n+b: 3\n\\ No newline at end of file\n")


def test_unified_diff_of_a_new_file_is_from_dev_null() -> None:
    assert unified_diff("registry/r-1.0.1.j2", None, "hi\nthere") == (
        "--- /dev/null\n+++ b/registry/r-1.0.1.j2\n@@ -0,0 +1,2 @@\n+hi\n+there\n"
        "\\ No newline at end of file\n")
    # No hunk can make an empty file; git's own header does.
    assert unified_diff("r.j2", None, "") == "diff --git a/r.j2 b/r.j2\nnew file mode 100644\n"


def test_unified_diff_of_no_change_is_empty() -> None:
    assert unified_diff("p.yaml", "a: 1\n", "a: 1\n") == ""


# --- set_deprecation: a new deprecation ---------------------------------------------------


def test_deprecate_block_metadata_inserts_after_its_last_value() -> None:
    after = set_deprecation(FILE, 0, SUNSET, "prompt/support-triage@^2", "replaced by v2", TODAY)
    # After `labels`, before the comment that closes the metadata, indented like its keys.
    assert changes(FILE, after) == [(
        "insert", line_of(FILE, "# end of metadata"), [], [
            "  deprecation:\n",
            "    announced: 2026-09-01\n",
            "    sunset: 2027-01-31\n",
            "    replacement: prompt/support-triage@^2\n",
            "    reason: replaced by v2\n",
        ],
    )]
    before_docs, after_docs = docs(FILE), docs(after)
    assert after_docs[0]["metadata"]["deprecation"] == {
        "announced": TODAY, "sunset": SUNSET,
        "replacement": "prompt/support-triage@^2", "reason": "replaced by v2"}
    del after_docs[0]["metadata"]["deprecation"]
    assert after_docs == before_docs


def test_deprecate_four_space_metadata_after_a_folded_block() -> None:
    after = set_deprecation(FILE, 1, SUNSET, None, None, TODAY)
    # After the folded description's last line, before its trailing blank line; the file's
    # own step (4 spaces) indents the new keys.
    assert changes(FILE, after) == [(
        "insert", line_of(FILE, "kept for the mobile app.") + 1, [], [
            "    deprecation:\n",
            "        announced: 2026-09-01\n",
            "        sunset: 2027-01-31\n",
        ],
    )]
    meta = docs(after)[1]["metadata"]
    assert meta["description"] == "Old triage prompt, kept for the mobile app.\n"
    assert meta["deprecation"] == {"announced": TODAY, "sunset": SUNSET}


def test_deprecate_flow_metadata_before_the_closing_brace() -> None:
    after = set_deprecation(FILE, 2, SUNSET, "dataset/support-tickets@^3", "a: b # c", TODAY)
    assert changes(FILE, after) == [(
        "replace", line_of(FILE, "# flow"),
        ["metadata: {name: support-tickets, version: '2.0.0-rc.1', owner: team/data}  # flow\n"],
        ["metadata: {name: support-tickets, version: '2.0.0-rc.1', owner: team/data, "
         "deprecation: {announced: 2026-09-01, sunset: 2027-01-31, "
         'replacement: dataset/support-tickets@^3, reason: "a: b # c"}}  # flow\n'],
    )]
    assert docs(after)[2]["metadata"]["deprecation"]["reason"] == "a: b # c"


def test_bump_then_deprecate_every_document_of_the_file() -> None:
    text = FILE
    for doc in range(3):
        old = docs(text)[doc]["metadata"]["version"]
        text = set_version(text, doc, bump_version(old, "minor"))
        text = set_deprecation(text, doc, SUNSET, None, f"reason {doc}", TODAY)
    read = docs(text)
    assert [d["metadata"]["version"] for d in read] == ["1.5.0", "0.10.0", "2.0.0"]
    assert [d["metadata"]["deprecation"]["reason"] for d in read] == [
        "reason 0", "reason 1", "reason 2"]
    # Nothing was removed: every line of the original is still there, in order, apart from
    # the three version lines.
    kinds = {tag for tag, *_ in changes(FILE, text)}
    assert kinds <= {"insert", "replace"}
    removed = [line for tag, _, old_lines, _ in changes(FILE, text) for line in old_lines]
    assert len(removed) == 3 and all("version" in line for line in removed)
    comments = [line for line in FILE.splitlines() if line.lstrip().startswith("#")]
    assert all(comment in text.splitlines() for comment in comments)


def test_deprecate_with_crlf_and_no_final_newline() -> None:
    before = "kind: Prompt\r\nmetadata:\r\n  name: a\r\n  version: 1.0.0  # v"
    after = set_deprecation(before, 0, SUNSET, None, "old", TODAY)
    assert after == (before + "\r\n  deprecation:\r\n    announced: 2026-09-01\r\n"
                     "    sunset: 2027-01-31\r\n    reason: old")
    assert "\n" not in after.replace("\r\n", "")


def test_deprecate_keeps_a_byte_order_mark() -> None:
    before = "\ufeffmetadata:\n  name: a\n"
    after = set_deprecation(before, 0, SUNSET, None, None, TODAY)
    assert after == before + "  deprecation:\n    announced: 2026-09-01\n    sunset: 2027-01-31\n"


def test_deprecate_after_a_nested_mapping_and_a_kept_block_scalar() -> None:
    before = textwrap.dedent("""\
        metadata:
          name: a
          labels:
            tier: shared
            # a comment inside labels
          description: |+
            kept trailing lines

        # between
        spec: {}
        """)
    after = set_deprecation(before, 0, SUNSET, None, None, TODAY)
    # `|+` keeps its trailing blank line: the new keys go after it.
    assert changes(before, after) == [("insert", 8, [], [
        "  deprecation:\n", "    announced: 2026-09-01\n", "    sunset: 2027-01-31\n"])]
    assert docs(after)[0]["metadata"]["description"] == "kept trailing lines\n\n"


@pytest.mark.parametrize(("before", "after"), [
    ("metadata:\n  name: a\n  deprecation:  # soon\n  # c\nspec: {}\n",
     "metadata:\n  name: a\n  deprecation:  # soon\n    announced: 2026-09-01\n"
     "    sunset: 2027-01-31\n  # c\nspec: {}\n"),
    ("metadata:\n  name: a\n  deprecation: ~  # soon\n",
     "metadata:\n  name: a\n  deprecation:  # soon\n    announced: 2026-09-01\n"
     "    sunset: 2027-01-31\n"),
    ("metadata: {name: a, deprecation: null}\n",
     "metadata: {name: a, deprecation: {announced: 2026-09-01, sunset: 2027-01-31}}\n"),
    ("metadata: {name: a, deprecation: }\n",
     "metadata: {name: a, deprecation: {announced: 2026-09-01, sunset: 2027-01-31} }\n"),
    ("metadata: {name: a, deprecation}\n",
     "metadata: {name: a, deprecation: {announced: 2026-09-01, sunset: 2027-01-31}}\n"),
    ("metadata: {}\n",
     "metadata: {deprecation: {announced: 2026-09-01, sunset: 2027-01-31}}\n"),
    ("metadata: {\n  name: a,\n  version: 1.0.0  # v\n}\n",
     "metadata: {\n  name: a,\n  version: 1.0.0, deprecation: {announced: 2026-09-01, "
     "sunset: 2027-01-31}  # v\n}\n"),
])
def test_deprecate_an_empty_deprecation_or_an_unusual_mapping(before: str, after: str) -> None:
    assert set_deprecation(before, 0, SUNSET, None, None, TODAY) == after


@pytest.mark.parametrize(("before", "after"), [
    ("o: &o team/x\nmetadata:\n  name: a\n  owner: *o\n# c\nspec: {}\n",
     "o: &o team/x\nmetadata:\n  name: a\n  owner: *o\n  deprecation:\n"
     "    announced: 2026-09-01\n    sunset: 2027-01-31\n# c\nspec: {}\n"),
    ("o: &o team/x\nmetadata: {name: a, owner: *o }\n",
     "o: &o team/x\nmetadata: {name: a, owner: *o, deprecation: {announced: 2026-09-01, "
     "sunset: 2027-01-31} }\n"),
])
def test_deprecate_after_an_alias_value(before: str, after: str) -> None:
    # The node of `*o` is the anchored one, written earlier: the alias itself is found.
    assert set_deprecation(before, 0, SUNSET, None, None, TODAY) == after


@pytest.mark.parametrize(("before", "after"), [
    ("metadata:\n  name: a\n  deprecation:\n    reason:\n    sunset:  # c\n",
     "metadata:\n  name: a\n  deprecation:\n    reason: why\n    sunset: 2027-01-31  # c\n"),
    ("metadata: {name: a, deprecation: {reason, sunset: }}\n",
     "metadata: {name: a, deprecation: {reason: why, sunset: 2027-01-31}}\n"),
])
def test_update_fills_empty_values(before: str, after: str) -> None:
    assert set_deprecation(before, 0, SUNSET, None, "why", TODAY) == after


# --- set_deprecation: updating one --------------------------------------------------------

EXISTING_BLOCK = """\
kind: Model
metadata:
  name: gpt-4o
  deprecation:
    announced: 2026-01-01   # when we told people
    # the day it goes
    sunset: 2026-06-30
    reason: 'the provider retires it'  # see the notice
  owner: team/platform
spec: {}
"""


def test_update_block_deprecation_changes_only_the_given_keys() -> None:
    after = set_deprecation(EXISTING_BLOCK, 0, SUNSET, "model/gpt-5@^1", "it's retired", TODAY)
    # Two lines replaced in place (single quotes kept), one line added after the last key.
    assert changes(EXISTING_BLOCK, after) == [(
        "replace", 6,
        ["    sunset: 2026-06-30\n",
         "    reason: 'the provider retires it'  # see the notice\n"],
        ["    sunset: 2027-01-31\n",
         "    reason: 'it''s retired'  # see the notice\n",
         "    replacement: model/gpt-5@^1\n"],
    )]
    assert docs(after)[0]["metadata"]["deprecation"] == {
        "announced": dt.date(2026, 1, 1), "sunset": SUNSET,
        "reason": "it's retired", "replacement": "model/gpt-5@^1"}


def test_update_keeps_announced_and_keys_not_given() -> None:
    after = set_deprecation(EXISTING_BLOCK, 0, SUNSET, None, None, dt.date(2030, 1, 1))
    assert changes(EXISTING_BLOCK, after) == [
        ("replace", 6, ["    sunset: 2026-06-30\n"], ["    sunset: 2027-01-31\n"])]


def test_update_flow_deprecation_changes_only_the_given_keys() -> None:
    before = ("metadata:\n  name: a\n"
              '  deprecation: {sunset: 2026-06-30, reason: "old"}  # flow\nspec: {}\n')
    after = set_deprecation(before, 0, SUNSET, "prompt/b@^2", "new, better", TODAY)
    assert changes(before, after) == [(
        "replace", 2,
        ['  deprecation: {sunset: 2026-06-30, reason: "old"}  # flow\n'],
        ['  deprecation: {sunset: 2027-01-31, reason: "new, better", '
         "replacement: prompt/b@^2}  # flow\n"],
    )]


def test_update_replaces_a_block_scalar_reason_and_keeps_what_follows() -> None:
    before = textwrap.dedent("""\
        metadata:
          name: a
          deprecation:
            reason: >
              a long
              reason

            # comment after
            sunset: 2026-06-30
        """)
    after = set_deprecation(before, 0, SUNSET, None, "short", TODAY)
    assert after == textwrap.dedent("""\
        metadata:
          name: a
          deprecation:
            reason: short

            # comment after
            sunset: 2027-01-31
        """)


def test_update_a_quoted_sunset_writes_a_day() -> None:
    before = "metadata:\n  name: a\n  deprecation:\n    sunset: '2026-06-30'\n"
    after = set_deprecation(before, 0, SUNSET, None, None, TODAY)
    assert after == before.replace("'2026-06-30'", "2027-01-31")
    assert docs(after)[0]["metadata"]["deprecation"]["sunset"] == SUNSET


def test_update_an_anchored_deprecation_updates_its_aliases_too() -> None:
    before = "metadata:\n  name: a\n  deprecation: &d {sunset: 2026-06-30}\nx-copy: *d\n"
    after = set_deprecation(before, 0, SUNSET, None, None, TODAY)
    assert after == before.replace("2026-06-30", "2027-01-31")


# --- hostile text -------------------------------------------------------------------------

HOSTILE = [
    ("a: b # c", '"a: b # c"'),
    ("yes", '"yes"'),
    ("No", '"No"'),
    ("123", '"123"'),
    ("1.10", '"1.10"'),
    ("0x1f", '"0x1f"'),
    (".inf", '".inf"'),
    ("null", '"null"'),
    ("~", '"~"'),
    ("", '""'),
    ("2027-01-31", '"2027-01-31"'),
    ('"quoted"', '"\\"quoted\\""'),
    ("'single'", '"\'single\'"'),
    ("*not-an-alias", '"*not-an-alias"'),
    ("&anchor", '"&anchor"'),
    ("!tag", '"!tag"'),
    ("- a list?", '"- a list?"'),
    ("# a comment?", '"# a comment?"'),
    ("ends with colon:", '"ends with colon:"'),
    (" padded ", '" padded "'),
    ("two\nlines", '"two\\nlines"'),
    ("tab\there", '"tab\\there"'),
    ("back\\slash", "back\\slash"),
    ("line\u2028separator", '"line\\u2028separator"'),
    ("nul\x00byte", '"nul\\u0000byte"'),
    ("résumé — ünïcode ✓ 😀", "résumé — ünïcode ✓ 😀"),
    ("superseded by the v4 voice guide", "superseded by the v4 voice guide"),
    ("see https://example.com/a#b", "see https://example.com/a#b"),
    ("100% sure", "100% sure"),
]


@pytest.mark.parametrize(("reason", "written"), HOSTILE)
def test_hostile_reason_in_a_new_block_deprecation(reason: str, written: str) -> None:
    before = "metadata:\n  name: a\n"
    after = set_deprecation(before, 0, SUNSET, None, reason, TODAY)
    assert after.splitlines()[-1] == f"    reason: {written}"
    assert docs(after)[0]["metadata"]["deprecation"]["reason"] == reason


@pytest.mark.parametrize(("reason", "written"), HOSTILE)
def test_hostile_reason_replacing_one_in_a_flow_deprecation(reason: str, written: str) -> None:
    before = "metadata: {name: a, deprecation: {reason: old, sunset: 2026-06-30}}  # c\n"
    after = set_deprecation(before, 0, SUNSET, None, reason, TODAY)
    assert docs(after)[0]["metadata"]["deprecation"] == {"reason": reason, "sunset": SUNSET}
    assert after.endswith("}}  # c\n")


@pytest.mark.parametrize("reason", ["a, b", "[x]", "{x}", "a?b", "x:y"])
def test_flow_indicators_are_quoted_only_in_flow_mappings(reason: str) -> None:
    flow = set_deprecation("metadata: {name: a}\n", 0, SUNSET, None, reason, TODAY)
    assert f"reason: {reason}" not in flow
    assert docs(flow)[0]["metadata"]["deprecation"]["reason"] == reason
    block = set_deprecation("metadata:\n  name: a\n", 0, SUNSET, None, reason, TODAY)
    assert docs(block)[0]["metadata"]["deprecation"]["reason"] == reason


@pytest.mark.parametrize(("written", "reason", "expected"), [
    ("'old'", "it's", "'it''s'"),
    ("'old'", "two\nlines", '"two\\nlines"'),
    ('"old"', "plain enough", '"plain enough"'),
    ("old", "yes", '"yes"'),
    ("old", "plain enough", "plain enough"),
])
def test_update_keeps_the_quoting_style_when_it_can(written: str, reason: str,
                                                    expected: str) -> None:
    before = (f"metadata:\n  name: a\n  deprecation:\n    reason: {written}\n"
              "    sunset: 2026-06-30\n")
    after = set_deprecation(before, 0, SUNSET, None, reason, TODAY)
    assert f"    reason: {expected}\n" in after
    assert docs(after)[0]["metadata"]["deprecation"]["reason"] == reason


_ODD = list(" -?:,[]{}#&*!|>'\"%@`aZ09.\\\t\n~=<\u2028\x85é")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.one_of(st.text(), st.text(alphabet=st.sampled_from(_ODD))),
       before=st.sampled_from([
           "metadata:\n  name: a\n",
           "metadata: {name: a}\n",
           "metadata:\n  name: a\n  deprecation:\n    reason: 'x'\n    replacement: x\n",
           "metadata:\n  name: a\n  deprecation: {reason: \"x\", replacement: 'x'}\n",
       ]))
def test_any_text_reads_back_exactly(text: str, before: str) -> None:
    after = set_deprecation(before, 0, SUNSET, text, text, TODAY)
    deprecation = docs(after)[0]["metadata"]["deprecation"]
    assert deprecation["reason"] == text and deprecation["replacement"] == text


# --- every example declaration ------------------------------------------------------------


def _example_documents() -> list[tuple[Path, int]]:
    found = []
    for path in sorted(EXAMPLE.rglob("*.yaml")):
        for index, document in enumerate(yaml.safe_load_all(path.read_text("utf-8"))):
            if isinstance(document, dict) and isinstance(document.get("metadata"), dict) \
                    and str(document.get("apiVersion", "")).startswith("aireg/"):
                found.append((path, index))
    return found


EXAMPLE_DOCUMENTS = _example_documents()


def test_the_example_registry_has_declarations_to_edit() -> None:
    assert len(EXAMPLE_DOCUMENTS) > 20


def test_bump_and_deprecate_every_example_declaration() -> None:
    for path, index in EXAMPLE_DOCUMENTS:
        before = path.read_text("utf-8")
        meta = docs(before)[index]["metadata"]
        if "version" in meta:
            after = set_version(before, index, bump_version(meta["version"], "patch"))
            diff = changes(before, after)
            assert len(diff) == 1 and diff[0][0] == "replace", (path, index, diff)
            assert len(diff[0][2]) == len(diff[0][3]) == 1
        after = set_deprecation(before, index, SUNSET, None, "retired", TODAY)
        diff = changes(before, after)
        if "deprecation" not in meta:
            # One block of new lines, or one flow line rewritten.
            assert len(diff) == 1, (path, index, diff)
            assert diff[0][0] == "insert" or len(diff[0][2]) == len(diff[0][3]) == 1
        else:
            # sunset and reason rewritten in place, or added: no line is lost.
            removed = [line for _, _, old, _ in diff for line in old]
            assert len(removed) <= 2, (path, index, diff)
            assert all(line.lstrip().startswith(("sunset:", "reason:")) for line in removed)
        assert docs(after)[index]["metadata"]["deprecation"]["reason"] == "retired"


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "doc", "message"), [
    ("kind: Prompt\nspec: {}\n", 0, "has no `metadata:` mapping"),
    ("metadata: [a]\n", 0, "metadata of document 1 .* is not a mapping"),
    ("- a\n", 0, "is not a mapping of keys"),
    ("metadata: {name: a}\n", 0, "has no metadata.version .* add one"),
    ("v: &v 1.0.0\nmetadata:\n  name: a\n  version: *v\n", 0, "YAML alias"),
    ("metadata:\n  name: a\n  version: &v 1.0.0\nx: *v\n", 0, "YAML anchor"),
    ("metadata:\n  version: |\n    1.0.0\n", 0, "over several lines"),
    ("metadata:\n  version: 1.0.0\n    .1\n", 0, "over several lines"),
    ("metadata:\n  version: [1, 0, 0]\n", 0, "is a list, not a single value"),
    ("metadata:\n  version:\n  name: a\n", 0, "is empty; write the current version"),
    ("metadata:\n  version: 1.0.0\n  version: 1.0.1\n", 0, r"more than once \(lines 2 and 3\)"),
    ("b: &b {version: 1.0.0}\nmetadata:\n  <<: *b\n  name: a\n", 0, "YAML merge key"),
    ("m: &m {name: a, version: 1.0.0}\nmetadata: *m\n", 0, "metadata .* is a YAML alias"),
    ("metadata: {name: a, version: 1.0.0}\n", 1, "not a document 2"),
    ("metadata: {name: a, version: 1.0.0\n", 0, "does not read as YAML"),
    ("metadata:\n\tversion: 1.0.0\n", 0, "does not read as YAML"),
])
def test_set_version_errors_say_what_to_do(text: str, doc: int, message: str) -> None:
    with pytest.raises(AiregError, match=message):
        set_version(text, doc, "2.0.0")


def test_set_version_refuses_an_invalid_new_version() -> None:
    with pytest.raises(AiregError, match="not a SemVer version"):
        set_version("metadata: {name: a, version: 1.0.0}\n", 0, "1.1")


@pytest.mark.parametrize(("text", "message"), [
    ("metadata:\n  name: a\n  deprecation: soon\n", "is not a mapping"),
    ("metadata:\n  name: a\n  deprecation: [a]\n", "is not a mapping"),
    ("d: &d {sunset: 2026-01-01}\nmetadata:\n  name: a\n  deprecation: *d\n", "YAML alias"),
    ("metadata:\n  name: a\n  deprecation:\n    sunset: &s 2026-01-01\n", "YAML anchor"),
    ("metadata:\n  name: a\n  deprecation:\n    reason: {a: b}\n", "is a mapping, not"),
    ("b: &b {deprecation: {sunset: 2026-01-01}}\nmetadata:\n  <<: *b\n  name: a\n",
     "YAML merge key"),
    ("metadata:\n  name: a\n  deprecation:\n    sunset: 2026-01-01\n    sunset: 2026-02-01\n",
     "`sunset` more than once"),
    # A `|+` value at the very end of a file without a final line break cannot be followed
    # by new lines without changing it: refused, not corrupted.
    ("metadata:\n  name: a\n  description: |+\n    kept", "left the file unchanged"),
])
def test_set_deprecation_errors_say_what_to_do(text: str, message: str) -> None:
    with pytest.raises(AiregError, match=message):
        set_deprecation(text, 0, SUNSET, None, "why", TODAY)


def test_set_deprecation_refuses_text_that_is_not_unicode() -> None:
    with pytest.raises(AiregError, match="not valid Unicode"):
        set_deprecation("metadata:\n  name: a\n", 0, SUNSET, None, "bad \udc80", TODAY)


# --- write_atomic -------------------------------------------------------------------------


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_write_atomic_keeps_mode_and_bytes_and_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "prompt.yaml"
    path.write_bytes(b"old\r\n")
    path.chmod(0o640)
    text = "kind: Prompt\r\nmetadata: {name: caf\u00e9}\r\nlast line, no break"
    write_atomic(path, text)
    assert path.read_bytes() == text.encode("utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert _leftovers(tmp_path, {"prompt.yaml"}) == []


def test_write_atomic_failure_leaves_the_original_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "prompt.yaml"
    path.write_bytes(b"# original\nmetadata: {name: a}\n")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(AiregError, match=r"cannot write .*No space left on device"):
        write_atomic(path, "# new\n")
    assert path.read_bytes() == b"# original\nmetadata: {name: a}\n"
    assert _leftovers(tmp_path, {"prompt.yaml"}) == []


def test_write_atomic_interrupted_while_writing_removes_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "prompt.yaml"
    path.write_text("original\n", encoding="utf-8")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "original\n"
    assert _leftovers(tmp_path, {"prompt.yaml"}) == []


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
@pytest.mark.parametrize("mode", [0o444, 0o464, 0o400])
def test_write_atomic_refuses_a_read_only_file(tmp_path: Path, mode: int) -> None:
    """Root may write anything (os.access says yes): the owner's write bit decides."""
    path = tmp_path / "prompt.yaml"
    path.write_bytes(b"old\n")
    path.chmod(mode)
    with pytest.raises(AiregError) as raised:
        write_atomic(path, "new\n", "prompts/prompt.yaml", "edit")
    assert str(raised.value) == ("prompts/prompt.yaml is read-only; make it writable "
                                 "(chmod u+w) to edit it")
    assert path.read_bytes() == b"old\n"
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert _leftovers(tmp_path, {"prompt.yaml"}) == []


def test_check_writable_passes_a_writable_or_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "prompt.yaml"
    check_writable(path, "prompt.yaml")
    path.write_bytes(b"old\n")
    path.chmod(0o644)
    check_writable(path, "prompt.yaml")
    path.chmod(0o444)
    with pytest.raises(AiregError, match=r"^prompt.yaml is read-only; make it writable "
                                         r"\(chmod u\+w\) to write it$"):
        check_writable(path, "prompt.yaml")


def test_write_atomic_removes_what_a_killed_run_left_of_this_file_only(tmp_path: Path) -> None:
    path = tmp_path / "prompt.yaml"
    path.write_text("old\n", encoding="utf-8")
    for name in (".prompt.yaml.aireg-tmp-k1ll3d", ".other.yaml.aireg-tmp-k1ll3d",
                 ".prompt.yaml.aireg-tmp"):
        (tmp_path / name).write_text("half", encoding="utf-8")
    write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    # Another file's temporary, and a name of another pattern, are not this file's to remove.
    assert _leftovers(tmp_path, {"prompt.yaml"}) == [".other.yaml.aireg-tmp-k1ll3d",
                                                     ".prompt.yaml.aireg-tmp"]


# A child process that edits FILE and stops for good once its temporary file is written
# and flushed (fsync blocks on standard input, which the test never writes to), so that the
# test can kill it there, or let it go on by closing its input.
PAUSED_EDIT = """\
import os, sys
from pathlib import Path
from registry.edit import write_atomic

def paused(fd):
    print("written", flush=True)
    sys.stdin.read()

os.fsync = paused
write_atomic(Path(sys.argv[1]), "from the child\\n")
"""


def _paused_edit(path: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", PAUSED_EDIT, str(path)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "written\n"  # blocks until the child is there
    return child


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_temporary_left_by_a_killed_edit_is_removed_by_the_next(tmp_path: Path) -> None:
    path = tmp_path / "prompt.yaml"
    path.write_text("original\n", encoding="utf-8")
    child = _paused_edit(path)
    child.kill()
    assert child.wait() == -signal.SIGKILL
    left = _leftovers(tmp_path, {"prompt.yaml"})
    assert [name[:len(".prompt.yaml.aireg-tmp-")] for name in left] == [
        ".prompt.yaml.aireg-tmp-"]
    assert (tmp_path / left[0]).read_text(encoding="utf-8") == "from the child\n"
    assert path.read_text(encoding="utf-8") == "original\n"
    write_atomic(path, "next\n")
    assert path.read_text(encoding="utf-8") == "next\n"
    assert _leftovers(tmp_path, {"prompt.yaml"}) == []


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX here")
def test_a_temporary_of_an_edit_still_running_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "prompt.yaml"
    path.write_text("original\n", encoding="utf-8")
    child = _paused_edit(path)
    try:
        write_atomic(path, "from the parent\n")
        assert path.read_text(encoding="utf-8") == "from the parent\n"
        assert len(_leftovers(tmp_path, {"prompt.yaml"})) == 1  # the child's, still locked
    finally:
        assert child.stdin is not None
        child.stdin.close()  # the child goes on: its write lands last
        assert child.wait() == 0
    assert path.read_text(encoding="utf-8") == "from the child\n"
    assert _leftovers(tmp_path, {"prompt.yaml"}) == []


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and modes are POSIX")
def test_write_atomic_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(target.name)
    write_atomic(link, "new\n")
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "new\n"
    assert _leftovers(tmp_path, {"real.yaml", "link.yaml"}) == []


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_write_atomic_creates_a_new_file_with_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    old = os.umask(0o027)
    try:
        write_atomic(path, "a: 1\n")
    finally:
        os.umask(old)
    assert path.read_text(encoding="utf-8") == "a: 1\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_write_atomic_into_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AiregError, match="cannot write"):
        write_atomic(tmp_path / "missing" / "a.yaml", "a: 1\n")


def test_edit_and_write_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "decls.yaml"
    path.write_bytes(FILE.replace("\n", "\r\n").encode("utf-8"))
    text = path.read_bytes().decode("utf-8")
    write_atomic(path, set_version(text, 1, "1.0.0"))
    written = path.read_bytes().decode("utf-8")
    assert changes(text, written) == [(
        "replace", line_of(FILE, '"0.9.2"'),
        ['    version: "0.9.2"   # quoted on purpose\r\n'],
        ['    version: "1.0.0"   # quoted on purpose\r\n'],
    )]


def test_write_atomic_writes_into_a_device_without_replacing_it(tmp_path: Path) -> None:
    """`bom -o /dev/null` must leave /dev/null a device."""
    import stat as stat_module

    before = Path(os.devnull).stat()
    write_atomic(Path(os.devnull), "discarded\n")
    after = Path(os.devnull).stat()
    assert stat_module.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_write_atomic_writes_into_a_fifo(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert fifo.is_fifo()
