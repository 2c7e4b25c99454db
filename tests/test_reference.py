"""The user reference in docs/ (registry/reference.py generates its tables): in step with the
code, and linked from the README in place of documents that are not in the repository."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO_ROOT

from registry import kinds
from registry.findings import RULE_HELP, RULES
from registry.reference import between, declarations_md, rules_md


def test_docs_are_up_to_date() -> None:
    done = subprocess.run([sys.executable, "scripts/docs.py", "--check"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_every_rule_is_listed_with_its_severity_and_meaning() -> None:
    rows = rules_md().splitlines()[2:]
    assert len(rows) == len(RULES)
    assert rows[0] == ("| `yaml-syntax` | error | The file is not valid YAML (or not UTF-8, too "
                       "large, or an alias bomb). |")
    for rule, severity in RULES.items():
        assert f"| `{rule}` | {severity.value} | {RULE_HELP[rule]} |" in rows


def test_every_kind_and_field_is_in_the_declaration_reference() -> None:
    text = declarations_md()
    for name, cls in kinds.KINDS.items():
        assert f"\n### {name}\n" in text
        spec = cls.model_fields["spec"].annotation
        assert isinstance(spec, type)
        section = text.split(f"\n#### {spec.__name__}\n", 1)[1].split("\n#", 1)[0]
        for field, info in spec.model_fields.items():
            assert f"| `{field}` |" in section, (name, field)
            assert info.description is not None and info.description in section


def test_a_generated_block_is_found_between_its_markers() -> None:
    text = "intro\n<!-- begin rules -->\nold\n<!-- end rules -->\nafter\n"
    assert between(text, "rules") == ("intro\n<!-- begin rules -->\n", "old\n",
                                      "<!-- end rules -->\nafter\n")


def test_the_readme_links_the_reference_not_missing_documents() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"\b(SPEC|DESIGN)\.md\b", readme)
    for page in ("docs/README.md", "docs/declarations.md", "docs/references.md",
                 "docs/rules.md", "docs/outputs.md"):
        assert f"]({page})" in readme
        assert (REPO_ROOT / page).is_file()


def test_every_output_schema_is_linked_from_the_outputs_page() -> None:
    outputs = (REPO_ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    for path in sorted((REPO_ROOT / "schemas" / "output").glob("*.schema.json")):
        assert f"(../schemas/output/{path.name})" in outputs, path.name
