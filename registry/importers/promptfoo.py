"""promptfoo configs (`promptfooconfig.yaml`) -> Eval declarations.

The Eval covers the prompts the config loads (`prompts:` entries `file://path`, as strings
or as `{id: file://...}`), each matched to the Prompt imported from that file or declared
with it as templateFile; its command runs the config (`promptfoo eval -c PATH`). A prompt
written inline in the config has no declaration to cover and is reported.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from typing import Any

import yaml

from . import Context, Draft, Source, ambiguous, line_of, name_of, problem


def read(source: Source, context: Context) -> list[Draft]:
    try:
        data = yaml.load(source.text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise problem(source, f"this promptfoo config is not valid YAML: {error.problem}; fix "
                      "it and import again", (mark.line + 1) if mark else 1,
                      (mark.column + 1) if mark else 1) from None
    except yaml.YAMLError as error:
        raise problem(source, f"this promptfoo config is not valid YAML: {error}") from None
    if not isinstance(data, dict) or "prompts" not in data:
        raise problem(source, "a promptfoo config is a mapping with `prompts:` (and "
                      "providers, tests); this file has no prompts to cover")
    prompts = data["prompts"]
    if isinstance(prompts, str | dict):
        prompts = [prompts]
    if not isinstance(prompts, list):
        line, column = line_of(source.text, r"^prompts:")
        raise problem(source, "`prompts` must be a list of prompts or file:// paths", line,
                      column)
    folder = posixpath.dirname(source.path)
    covers: list[str] = []
    for index, item in enumerate(prompts):
        written = item.get("id") or item.get("raw") if isinstance(item, dict) else item
        if not isinstance(written, str):
            continue
        if not written.startswith("file://"):
            line, column = _prompt_line(source, index)
            context.findings.append(ambiguous(
                source, "this prompt is written inline in the config, so no declaration "
                "covers it; move it to a file, import that file, and import again", line,
                column))
            continue
        target = posixpath.normpath(posixpath.join(folder, written[len("file://"):]))
        target = target.split(":", 1)[0]  # file://prompts.py:build_prompt names a function
        found = _prompts_from(context, target)
        if not found:
            line, column = _prompt_line(source, index)
            context.findings.append(ambiguous(
                source, f"{target} is not a declared prompt: import it first (aireg import "
                "dotprompt|prompty), or declare a Prompt with that templateFile, then import "
                "again", line, column))
        covers.extend(found)
    stem = posixpath.basename(source.path).rsplit(".", 1)[0]
    name = name_of(posixpath.basename(folder) if stem.startswith("promptfooconfig") or
                   not stem else stem)
    fields: dict[str, Any] = {}
    if isinstance(data.get("description"), str):
        fields["metadata.description"] = data["description"]
    fields["spec.covers"] = sorted(set(covers))
    fields["spec.command"] = f"promptfoo eval -c {source.path}"
    return [Draft("Eval", name, fields)]


def _prompts_from(context: Context, target: str) -> list[str]:
    """The refs of the prompts imported from, or templated by, the file(s) `target` names
    (a glob allowed)."""
    names: dict[str, str] = {}
    sources = {r.source for r in context.records} | set(context.drafted)
    for path in sorted(sources):
        if fnmatch.fnmatchcase(path, target):
            for name in context.imported_from(path, "Prompt"):
                names[name] = _range(context, name)
    for decl in context.catalog.of_kind("Prompt"):
        if decl.template_path and fnmatch.fnmatchcase(decl.template_path, target):
            names[decl.name] = _range(context, decl.name)
    return [f"prompt/{name}{constraint}" for name, constraint in sorted(names.items())]


def _range(context: Context, name: str) -> str:
    versions = [d.version for d in context.catalog.of_kind("Prompt")
                if d.name == name and d.version]
    if not versions:
        return "@^1"  # drafted in this run at 1.0.0
    from ..refs import parse_version

    return f"@^{max(parse_version(v) for v in versions).major}"


def _prompt_line(source: Source, index: int) -> tuple[int, int]:
    """The line of the index-th item under `prompts:` (best effort: its `- `)."""
    start = re.search(r"^prompts:", source.text, re.MULTILINE)
    if start is None:
        return 1, 1
    items = list(re.finditer(r"^\s*-\s", source.text[start.end():], re.MULTILINE))
    if index >= len(items):
        return line_of(source.text, r"^prompts:")
    offset = start.end() + items[index].end()  # the item's value, after `- `
    line = source.text.count("\n", 0, offset) + 1
    return line, offset - (source.text.rfind("\n", 0, offset) + 1) + 1
