"""Prompt templates: checking them (syntax, includes, variables) and rendering them.

Templates are Jinja2 in a sandbox with undefined variables as errors. `{% include
"prompt/name" %}` names another prompt; which version it gets is decided by the including
prompt's own `includes` ref, so two prompts may include different versions of one fragment.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import kinds
from .catalog import Catalog
from .findings import Finding, Location, Pointer, RefArgumentError, Span, finding
from .load import Decl
from .refs import Ref, RefSyntaxError, suggest
from .yamlio import used_at

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

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
    """A sandboxed Jinja2 environment whose includes resolve through `catalog` (Jinja2 is
    imported only when a template needs it)."""
    environment: SandboxedEnvironment = _environment_class()(catalog)
    return environment


@functools.cache
def _default_environment() -> SandboxedEnvironment:
    return _environment()


@functools.cache
def _environment_class() -> Any:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    class Environment(SandboxedEnvironment):
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

    return Environment


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


@dataclass(frozen=True)
class TemplateFacts:
    """What the rules need to know of a template: its includes (line, literal name or None
    for a computed one) and the variables it reads from the context (name -> first line)."""

    includes: tuple[tuple[int, str | None], ...] = ()
    used: tuple[tuple[str, int], ...] = ()
    error: tuple[int, str] | None = None  # (line, message) of a syntax error


# The shapes most prompts are made of, read without Jinja's parser: `{{ name }}`,
# `{{ name.attr }}`, `{% include "prompt/x" %}` and comments. Anything else goes to Jinja.
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}|\{#.*?#\}", re.S)
_SIMPLE_EXPR = re.compile(r"^-?\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*\s*-?$")
_SIMPLE_INCLUDE = re.compile(r"^-?\s*include\s+(?:\"([^\"\\{}]*)\"|'([^'\\{}]*)')\s*-?$")
_KEYWORDS = frozenset({"true", "false", "none", "True", "False", "None", "and", "or", "not",
                       "in", "is", "if", "else", "elif", "for", "endfor", "recursive", "block",
                       "extends", "import", "from", "with", "without", "context", "macro",
                       "call", "set", "filter", "raw", "include", "ignore", "missing"})


def _quick_facts(text: str) -> TemplateFacts | None:
    includes: list[tuple[int, str | None]] = []
    used: dict[str, int] = {}
    position = 0
    line = 1
    for match in _TAG.finditer(text):
        start = match.start()
        if _has_tag_start(text[position:start]):
            return None
        line += text.count("\n", position, start)  # counted on from the previous tag
        position = match.end()
        expression, statement = match.group(1), match.group(2)
        if expression is not None:
            simple = _SIMPLE_EXPR.match(expression)
            if simple is None or simple.group(1) in _KEYWORDS:
                return None
            used.setdefault(simple.group(1), line)
        elif statement is not None:
            include = _SIMPLE_INCLUDE.match(statement)
            if include is None:
                return None
            includes.append((line, include.group(1) if include.group(1) is not None
                             else include.group(2)))
        line += text.count("\n", start, position)  # a tag may span lines
    if _has_tag_start(text[position:]):
        return None
    return TemplateFacts(tuple(includes), tuple(used.items()))


def _has_tag_start(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def facts(template: str, env: Any = None) -> TemplateFacts:
    """The includes and context variables of a template; Jinja parses what the quick reader
    cannot, so the answer is the same either way."""
    quick = _quick_facts(template)
    if quick is not None:
        return quick
    import jinja2
    import jinja2.meta
    from jinja2 import nodes

    env = env or _default_environment()
    try:
        ast = env.parse(template)
    except jinja2.TemplateSyntaxError as error:
        return TemplateFacts(error=(error.lineno or 1, f"Jinja2 syntax error: {error.message}"))
    includes = []
    for node in ast.find_all(nodes.Include):
        target = node.template
        includes.append((node.lineno, target.value if isinstance(target, nodes.Const)
                         else None))
    undeclared = jinja2.meta.find_undeclared_variables(ast)
    first_line: dict[str, int] = {}
    for node in ast.find_all(nodes.Name):
        if node.ctx == "load" and node.name in undeclared:
            first_line.setdefault(node.name, node.lineno)
    return TemplateFacts(tuple(includes), tuple(sorted(first_line.items())))


def check(decl: Decl, env: Any = None) -> list[Finding]:
    """Findings of the `template` and `undeclared-variable` rules for one prompt."""
    if decl.template is None:
        return []
    found = facts(decl.template, env)
    if found.error is not None:
        return [finding("template", found.error[1], _at(decl, found.error[0]))]
    spec = _spec(decl)
    out: list[Finding] = []
    listed = {Ref.parse(text).key: text for text in spec.includes}
    for line, name in found.includes:
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
    for name, line in sorted(found.used):
        if name in declared:
            continue
        out.append(finding(
            "undeclared-variable", f"the template uses `{name}`, which is not in spec.variables"
            f"{suggest(name, declared)}; add it to variables or fix the name",
            _at(decl, line, name)))
    return out


def check_all(catalog: Catalog) -> list[Finding]:
    out: list[Finding] = []
    for decl in catalog.of_kind("Prompt"):
        out.extend(check(decl))
    return out


def render(catalog: Catalog, decl: Decl, variables: dict[str, Any]) -> str:
    """The prompt's template with its includes and variables filled in."""
    if decl.template is None:
        # Say why, when loading said it at the templateFile (an escape, a missing file, ...).
        where = decl.at("spec", "templateFile")
        why = next((f.message for f in catalog.loaded.findings if f.at == where), None)
        raise RefArgumentError(f"{decl.id} has no readable template: {why}" if why else
                               f"{decl.id} has no readable template; run `aireg check`")
    import jinja2

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
