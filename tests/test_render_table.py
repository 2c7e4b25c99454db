"""registry.render's table: every format each command offers has a renderer for each report
type the command renders, the table names only real functions and report types, and
`render` dispatches by the report's type."""

from __future__ import annotations

import importlib

import pytest
from reports import prompt

from registry.render import (
    COMMAND_FORMATS,
    COMMAND_REPORTS,
    RENDERERS,
    Format,
    render,
    renderer,
    type_name,
)
from registry.views import Listing, Placed

# The formats SPEC section 6 documents for each command that takes --format.
SPEC_FORMATS = {
    "check": "text|json|sarif|github",
    "ls": "text|json",
    "show": "text|json|yaml",
    "deps": "text|json",
    "impact": "text|json|markdown",
    "deprecations": "text|json|markdown",
    "orphans": "text|json",
    "graph": "mermaid|dot|json",
}


@pytest.mark.parametrize("command", sorted(SPEC_FORMATS))
def test_every_documented_format_is_offered(command: str) -> None:
    offered = {f.value for f in COMMAND_FORMATS[command]}
    assert offered >= set(SPEC_FORMATS[command].split("|"))


# Commands whose output does not go through the table (none: every command's does).
NOT_IN_TABLE: set[str] = set()
PAIRS = [(command, report, fmt) for command, formats in COMMAND_FORMATS.items()
         if command not in NOT_IN_TABLE
         for report in COMMAND_REPORTS[command] for fmt in formats]
PAIRS += [("bom --completeness", "registry.bom_score.Review", fmt)
          for fmt in (Format.TEXT, Format.JSON)]


@pytest.mark.parametrize(("command", "report", "fmt"), PAIRS,
                         ids=[f"{c}-{r.rpartition('.')[2]}-{f.value}" for c, r, f in PAIRS])
def test_every_offered_format_has_a_renderer(command: str, report: str, fmt: Format) -> None:
    assert (report, fmt) in RENDERERS, f"`aireg {command} --format {fmt.value}`"
    assert callable(renderer(report, fmt))


def test_every_command_with_formats_names_its_reports() -> None:
    assert set(COMMAND_REPORTS) == set(COMMAND_FORMATS) - NOT_IN_TABLE


@pytest.mark.parametrize("report", sorted({r for r, _ in RENDERERS}))
def test_the_table_names_real_report_types(report: str) -> None:
    module, _, name = report.rpartition(".")
    kind = getattr(importlib.import_module(module), name)
    assert f"{kind.__module__}.{kind.__qualname__}" == report


def test_no_renderer_is_listed_that_no_command_uses() -> None:
    used = {(r, f) for _, r, f in PAIRS}
    assert set(RENDERERS) == used


def test_render_dispatches_by_the_report_type() -> None:
    listing = Listing("demo", (Placed(prompt("a"), 3),))
    assert type_name(listing) == "registry.views.Listing"
    assert render(listing, Format.TEXT) == (
        "ID              KIND    OWNER      FILE\n"
        "prompt/a@1.0.0  Prompt  team/core  prompts/a.yaml:3\n")
    with pytest.raises(KeyError):
        render(listing, Format.MERMAID)
