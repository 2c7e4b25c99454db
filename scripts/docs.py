"""Write the generated parts of docs/ from the code: the declaration reference (from the kind
models' descriptions), the rule table, the ref fields and each command's formats.

    python scripts/docs.py           # rewrite docs/
    python scripts/docs.py --check   # exit 1, naming the stale files, when docs/ is behind
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cli.main import cli  # noqa: E402
from registry import reference  # noqa: E402


def command_formats() -> dict[str, tuple[str, ...]]:
    """Each command's --format choices as the command line offers them, its default first."""
    found: dict[str, tuple[str, ...]] = {}
    for name, command in sorted(cli.every_command().items()):
        for param in command.params:
            if "--format" in getattr(param, "opts", ()) and isinstance(param.type, click.Choice):
                choices = [str(c) for c in param.type.choices]
                default = param.default if param.default in choices else None
                found[name] = tuple([default, *(c for c in choices if c != default)]
                                    if default else choices)
    return found


def documents() -> dict[Path, str]:
    """Each generated document, or document with generated blocks, as it should read."""
    docs = ROOT / "docs"
    out = {docs / "declarations.md": reference.declarations_md()}
    blocks = {docs / "rules.md": {"rules": reference.rules_md()},
              docs / "references.md": {"ref-fields": reference.ref_fields_md()},
              docs / "outputs.md": {"formats": reference.formats_md(command_formats())}}
    for path, parts in blocks.items():
        text = path.read_text(encoding="utf-8")
        for name, body in parts.items():
            before, _, after = reference.between(text, name)
            text = before + body + after
        out[path] = text
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether docs/ is stale")
    args = parser.parse_args()
    stale = []
    for path, text in documents().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path.relative_to(ROOT).as_posix())
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(f"stale: {', '.join(stale)}: run `python scripts/docs.py` and commit the result")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
