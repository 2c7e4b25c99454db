"""Prompt templates: checking them (syntax, includes, variables) and rendering them.

Templates are Jinja2 in a sandbox with undefined variables as errors. `{% include
"prompt/name" %}` names another prompt; which version it gets is decided by the including
prompt's own `includes` ref, so two prompts may include different versions of one fragment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jinja2
import jinja2.meta
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from . import kinds
from .catalog import Catalog
from .findings import Finding, Location, Pointer, RefArgumentError, Span, finding
from .load import Decl
from .refs import Ref, RefSyntaxError, suggest
from .yamlio import used_at

_UNDEFINED = re.compile(r"^'([A-Za-z_][A-Za-z0-9_]*)' is undefined$")


def _at(decl: Decl, line: int, name: str | None = None) -> Location:
    if decl.template_path is not None:
        column = 1
        if name is not None:
            found = used_at((decl.template or "").splitlines()[line - 1 : line], name)
            column = found[1] if found else 1
        return Span(decl.template_path, line, column)
    return Pointer(decl.path, decl.doc, ("spec", "template"), text_line=line, text_hint=name)


def _spec(decl: Decl) -> kinds.PromptSpec:
    spec = decl.model.spec
    assert isinstance(spec, kinds.PromptSpec)
    return spec


def _environment(catalog: Catalog | None = None) -> SandboxedEnvironment:
    return _Environment(catalog)


class _Environment(SandboxedEnvironment):
    def __init__(self, catalog: Catalog | None) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=False,
                         keep_trailing_newline=True,
                         loader=jinja2.FunctionLoader(self._source))
        self.catalog = catalog

    def _source(self, name: str) -> str | None:
        decl = self.catalog.by_id.get(name) if self.catalog else None  # type: ignore[call-overload]
        return decl.template if decl is not None else None

    def join_path(self, template: str, parent: str) -> str:
        """Map `prompt/name` in an include to the version the including prompt pins."""
        if self.catalog is None:
            return template
        includer = self.catalog.by_id.get(parent)  # type: ignore[call-overload]
        if includer is None:
            return template
        target = _included(self.catalog, includer, template)
        return str(target.id) if target is not None else template


def _included(catalog: Catalog, includer: Decl, name: str) -> Decl | None:
    try:
        wanted = Ref.parse(name)
    except RefSyntaxError:
        return None
    for text in _spec(includer).includes:
        ref = Ref.parse(text)
        if ref.key == wanted.key:
            return catalog.resolve(ref)
    return None


def _includes(ast: nodes.Template) -> Iterator[tuple[int, str | None]]:
    for node in ast.find_all(nodes.Include):
        target = node.template
        yield node.lineno, target.value if isinstance(target, nodes.Const) else None


def check(decl: Decl, env: SandboxedEnvironment | None = None) -> list[Finding]:
    """Findings of the `template` and `undeclared-variable` rules for one prompt."""
    if decl.template is None:
        return []
    env = env or _environment()
    try:
        ast = env.parse(decl.template)
    except jinja2.TemplateSyntaxError as error:
        return [finding("template", f"Jinja2 syntax error: {error.message}",
                        _at(decl, error.lineno or 1))]
    spec = _spec(decl)
    out: list[Finding] = []
    listed = {Ref.parse(text).key: text for text in spec.includes}
    for line, name in _includes(ast):
        if name is None:
            out.append(finding("template", "an include with a computed name cannot be checked; "
                               "include a prompt by its literal name, such as "
                               "{% include \"prompt/house-style\" %}", _at(decl, line)))
            continue
        try:
            ref = Ref.parse(name)
        except RefSyntaxError:
            ref = None
        if ref is None or ref.kind != "prompt" or ref.constraint or ref.member:
            out.append(finding("template", f"include `{name}` is not a prompt name; include "
                               "another prompt as \"prompt/<name>\" and list it in "
                               "spec.includes", _at(decl, line, name)))
        elif ref.key not in listed:
            out.append(finding("template", f"include `{name}` is not listed in spec.includes; "
                               f"add {name}@<range> to includes", _at(decl, line, name)))
    declared = set(spec.variables)
    used = jinja2.meta.find_undeclared_variables(ast)
    first_line: dict[str, int] = {}
    for node in ast.find_all(nodes.Name):
        if node.ctx == "load":
            first_line.setdefault(node.name, node.lineno)
    for name in sorted(used - declared):
        out.append(finding(
            "undeclared-variable", f"the template uses `{name}`, which is not in spec.variables"
            f"{suggest(name, declared)}; add it to variables or fix the name",
            _at(decl, first_line.get(name, 1), name)))
    return out


def check_all(catalog: Catalog) -> list[Finding]:
    env = _environment()
    out: list[Finding] = []
    for decl in catalog.of_kind("Prompt"):
        out.extend(check(decl, env))
    return out


def render(catalog: Catalog, decl: Decl, variables: dict[str, Any]) -> str:
    """The prompt's template with its includes and variables filled in."""
    if decl.template is None:
        raise RefArgumentError(f"{decl.id} has no readable template; run `aireg check`")
    env = _environment(catalog)
    try:
        return env.get_template(str(decl.id)).render(**variables)
    except jinja2.UndefinedError as error:
        missing = _UNDEFINED.match(str(error.message or ""))
        if missing is None:
            raise RefArgumentError(f"{decl.id} does not render: {error.message}") from None
        name = missing[1]
        raise RefArgumentError(f"{decl.id} needs `{name}`: pass --var {name}=VALUE") from None
    except jinja2.TemplateNotFound as error:
        raise RefArgumentError(f"{decl.id} includes `{error.name}`, which does not resolve; "
                               "run `aireg check`") from None
    except jinja2.TemplateError as error:
        raise RefArgumentError(f"{decl.id} does not render: {error}") from None
