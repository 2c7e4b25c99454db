"""Prompt templates: checking them (syntax, includes, variables) and rendering them.

Templates are Jinja2 in a sandbox with undefined variables as errors. `{% include
"prompt/name" %}` names another prompt; which version it gets is decided by the including
prompt's own `includes` ref, so two prompts may include different versions of one fragment.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import kinds
from .catalog import Catalog
from .decl import Decl
from .findings import About, Finding, Pointer, RefArgumentError, Span, SpanOrPointer, finding
from .refs import NodeId, Ref, RefSyntaxError, suggest
from .yamlio import used_at

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

_UNDEFINED = re.compile(r"^'([A-Za-z_][A-Za-z0-9_]*)' is undefined$")


def _at(decl: Decl, line: int, name: str | None = None) -> SpanOrPointer:
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
_OPENER = re.compile(r"\{[{%#]")
_CLOSER = {"{{": "}}", "{%": "%}", "{#": "#}"}
_SIMPLE_EXPR = re.compile(r"^-?\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*\s*-?$")
_SIMPLE_INCLUDE = re.compile(r"^-?\s*include\s+(?:\"([^\"\\{}]*)\"|'([^'\\{}]*)')\s*-?$")
_KEYWORDS = frozenset({"true", "false", "none", "True", "False", "None", "and", "or", "not",
                       "in", "is", "if", "else", "elif", "for", "endfor", "recursive", "block",
                       "extends", "import", "from", "with", "without", "context", "macro",
                       "call", "set", "filter", "raw", "include", "ignore", "missing"})


def _quick_facts(text: str) -> TemplateFacts | None:
    # Each tag's end is looked for once, from its start, and an opener without an end gives
    # up at once: a lazy regex over the whole text tried every `{{` against all the rest
    # (80 KB of `{{` took half a minute).
    includes: list[tuple[int, str | None]] = []
    used: dict[str, int] = {}
    position = 0
    line = 1
    while (match := _OPENER.search(text, position)) is not None:
        start, opener = match.start(), match.group()
        end = text.find(_CLOSER[opener], match.end())
        if end == -1:
            return None  # Jinja says what is unclosed
        line += text.count("\n", position, start)  # counted on from the previous tag
        position = end + 2
        body = text[match.end():end]
        if opener == "{{":
            simple = _SIMPLE_EXPR.match(body)
            if simple is None or simple.group(1) in _KEYWORDS:
                return None
            used.setdefault(simple.group(1), line)
        elif opener == "{%":
            include = _SIMPLE_INCLUDE.match(body)
            if include is None:
                return None
            includes.append((line, include.group(1) if include.group(1) is not None
                             else include.group(2)))
        line += body.count("\n")  # a tag may span lines
    return TemplateFacts(tuple(includes), tuple(used.items()))


# Jinja's parser recurses once per level of nesting (some thirteen Python frames for each
# bracket), so thousands of levels exhaust Python's stack; Python, which Jinja compiles a
# template to, allows 20 nested loops and 100 levels of indentation. Templates are read up
# to these depths, found in one pass before Jinja sees them.
MAX_NESTING = 50  # blocks and brackets together
MAX_LOOPS = 20  # for loops inside one another
_BLOCKS = frozenset({"if", "for", "macro", "call", "filter", "with", "block", "autoescape",
                     "trans", "set"})  # `set` opens a block only without `=`
# What matters inside a tag: brackets, strings, line ends and the tag's end. Jinja ends a
# tag only where its brackets balance; inside brackets, `%}` is an operator and a bracket.
_IN_TAG = {"{{": re.compile(r"""[()\[\]{}'"\n]"""), "{%": re.compile(r"""[()\[\]{}'"\n]|%\}""")}
_STRING = re.compile(r"""'[^'\\]*(?:\\.[^'\\]*)*'|"[^"\\]*(?:\\.[^"\\]*)*\"""", re.S)
_STATEMENT = re.compile(r"[-+]?\s*([A-Za-z_]\w*)")
_ENDRAW = re.compile(r"\{%[-+]?\s*endraw\s*[-+]?%\}")


def too_deep(text: str) -> tuple[int, str] | None:
    """(line, message) where a template nests deeper than aireg reads, or None. An
    approximation of Jinja's lexer (strings, brackets, block statements) in one pass; what
    it cannot follow (an unclosed tag or string) it leaves to Jinja to report."""
    blocks: list[str] = []  # the block statements open here, innermost last
    loops = 0
    position = 0
    line = 1
    while (match := _OPENER.search(text, position)) is not None:
        line += text.count("\n", position, match.start())
        opener, position = match.group(), match.end()
        if opener == "{#":
            end = text.find("#}", position)
            if end == -1:
                return None
            line += text.count("\n", position, end)
            position = end + 2
            continue
        statement = _STATEMENT.match(text, position) if opener == "{%" else None
        name = statement.group(1) if statement is not None else ""
        in_tag = _IN_TAG[opener]
        brackets = 0
        while True:
            token = in_tag.search(text, position)
            if token is None:
                return None
            found, position = token.group(), token.end()
            if found == "\n":
                line += 1
            elif found in ("(", "[", "{"):
                brackets += 1
                if len(blocks) + brackets > MAX_NESTING:
                    return line, _NESTING
            elif found in ("'", '"'):
                string = _STRING.match(text, token.start())
                if string is None:
                    return None
                line += string.group().count("\n")
                position = string.end()
            elif brackets > 0:  # a closing bracket, or `%}` read as `%` and `}`
                brackets -= 1
            elif found == "%}":
                break
            elif found == "}" and text.startswith("}", position):
                position += 1
                break
        if name == "raw":
            end_raw = _ENDRAW.search(text, position)
            if end_raw is None:
                return None
            line += text.count("\n", position, end_raw.end())
            position = end_raw.end()
        elif name in _BLOCKS and not (name == "set" and "=" in text[match.end():position]):
            blocks.append(name)
            loops += name == "for"
            if loops > MAX_LOOPS:
                return line, _LOOPS
            if len(blocks) > MAX_NESTING:
                return line, _NESTING
        elif name.startswith("end") and blocks and blocks.pop() == "for":
            loops -= 1
    return None


_NESTING = (f"blocks and brackets nest more than {MAX_NESTING} levels deep here, over the "
            f"{MAX_NESTING} that aireg reads; flatten them, or move the inner part into a "
            "prompt of its own and include it")
_LOOPS = (f"for loops nest more than {MAX_LOOPS} deep here, over the {MAX_LOOPS} that Jinja2 "
          "can compile; move the inner loops into a prompt of its own and include it")


def facts(template: str, env: Any = None) -> TemplateFacts:
    """The includes and context variables of a template; Jinja parses what the quick reader
    cannot, so the answer is the same either way."""
    quick = _quick_facts(template)
    if quick is not None:
        return quick
    deep = too_deep(template)
    if deep is not None:
        return TemplateFacts(error=deep)
    import jinja2
    import jinja2.meta
    from jinja2 import nodes

    env = env or _default_environment()
    try:
        ast = env.parse(template)
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
    except jinja2.TemplateSyntaxError as error:
        return TemplateFacts(error=(error.lineno or 1, f"Jinja2 syntax error: {error.message}"))
    except RecursionError:  # nesting too_deep does not count, such as a long chain of `+`
        return TemplateFacts(error=(1, _TOO_COMPLEX))
    return TemplateFacts(tuple(includes), tuple(sorted(first_line.items())))


_TOO_COMPLEX = ("Jinja2 cannot read this template: an expression nests too deeply (a long chain "
                "of operators, say); split it into smaller ones with {% set %}")


def check(decl: Decl, env: Any = None, found: TemplateFacts | None = None) -> list[Finding]:
    """Findings of the `template` and `undeclared-variable` rules for one prompt (`found`:
    its template's facts, when already read)."""
    if decl.template is None:
        return []
    found = found or facts(decl.template, env)

    def about(value: str | None = None) -> About:
        # The template text, inline or in its file, and the include or variable named.
        return {"subject": decl.id, "field": "spec.template", "value": value}

    if found.error is not None:
        return [finding("template", found.error[1], _at(decl, found.error[0]), **about())]
    spec = _spec(decl)
    out: list[Finding] = []
    listed = {Ref.parse(text).key: text for text in spec.includes}
    for line, name in found.includes:
        if name is None:
            out.append(finding("template", "an include with a computed name cannot be checked; "
                               "include a prompt by its literal name, such as "
                               "{% include \"prompt/house-style\" %}", _at(decl, line),
                               **about()))
            continue
        try:
            ref = Ref.parse(name)
        except RefSyntaxError:
            ref = None
        if ref is None or ref.kind != "prompt" or ref.constraint or ref.member:
            out.append(finding("template", f"include `{name}` is not a prompt name; include "
                               "another prompt as \"prompt/<name>\" and list it in "
                               "spec.includes", _at(decl, line, name), **about(name)))
        elif ref.key not in listed:
            out.append(finding("template", f"include `{name}` is not listed in spec.includes; "
                               f"add {name}@<range> to includes", _at(decl, line, name),
                               **about(name)))
    declared = set(spec.variables)
    for name, line in sorted(found.used):
        if name in declared:
            continue
        out.append(finding(
            "undeclared-variable", f"the template uses `{name}`, which is not in spec.variables"
            f"{suggest(name, declared)}; add it to variables or fix the name",
            _at(decl, line, name), **about(name)))
    return out


def is_jinja(decl: Decl) -> bool:
    return _spec(decl).templateLanguage in (None, "jinja2")


def check_all(catalog: Catalog) -> list[Finding]:
    out: list[Finding] = []
    includes = _Includes(catalog)
    for decl in catalog.of_kind("Prompt"):
        if not is_jinja(decl):
            continue  # a Handlebars or Mustache template is not Jinja2's to parse
        out.extend(check(decl, found=includes.facts(decl)))
    out.extend(includes.findings())
    return out


# Rendering a chain of includes nests Jinja's calls once a level; past this many levels a
# prompt is not rendered (and `check` says so), far beyond any real prompt's.
MAX_INCLUDE_DEPTH = 100
Include = tuple[int, str, Decl]  # line, the name written, the prompt it renders


class _Includes:
    """The literal includes of the prompts' templates, as rendering resolves them, and how
    deep each prompt's chain of includes goes (found without recursion: chains may be
    thousands long)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.height: dict[NodeId, int] = {}  # include levels below a prompt
        self.deepest: dict[NodeId, Include] = {}  # the include its deepest chain starts with
        self.loop: list[NodeId] | None = None  # the first include cycle met
        self._facts: dict[NodeId, TemplateFacts] = {}
        self._done: set[NodeId] = set()

    def facts(self, decl: Decl) -> TemplateFacts:
        found = self._facts.get(decl.id)
        if found is None:
            found = self._facts[decl.id] = facts(decl.template or "")
        return found

    def edges(self, decl: Decl) -> list[Include]:
        out = []
        for line, name in self.facts(decl).includes:
            target = _included(self.catalog, decl, name) if name is not None else None
            if name is not None and target is not None and target.kind == "Prompt":
                out.append((line, name, target))
        return out

    def measure(self, start: Decl) -> int:
        """How many levels of includes rendering `start` goes through."""
        if start.id in self._done:
            return self.height[start.id]
        self.height[start.id] = 0
        # Frames of (prompt, its includes still to follow, the include that led to it).
        stack: list[tuple[Decl, Iterator[Include], Include | None]] = [
            (start, iter(self.edges(start)), None)]
        on_stack = {start.id: 0}
        while stack:
            decl, pending, via = stack[-1]
            for include in pending:
                target = include[2]
                if target.id in self._done:
                    self._offer(decl, include)
                elif target.id in on_stack:  # a cycle: the cycle rule reports it
                    if self.loop is None:
                        self.loop = [d.id for d, _, _ in stack[on_stack[target.id]:]]
                        self.loop.append(target.id)
                else:
                    on_stack[target.id] = len(stack)
                    self.height[target.id] = 0
                    stack.append((target, iter(self.edges(target)), include))
                    break
            else:
                stack.pop()
                del on_stack[decl.id]
                self._done.add(decl.id)
                if stack and via is not None:
                    self._offer(stack[-1][0], via)
        return self.height[start.id]

    def _offer(self, decl: Decl, include: Include) -> None:
        levels = self.height[include[2].id] + 1
        if levels > self.height[decl.id]:
            self.height[decl.id] = levels
            self.deepest[decl.id] = include

    def bottom(self, decl: Decl) -> NodeId:
        """The prompt at the end of a prompt's deepest chain of includes."""
        while decl.id in self.deepest:
            decl = self.deepest[decl.id][2]
        return decl.id

    def findings(self) -> list[Finding]:
        """A `template` finding at the top of every chain of includes deeper than aireg
        renders (not at each prompt along it)."""
        prompts = [d for d in self.catalog.of_kind("Prompt") if d.template is not None]
        deep = [d for d in prompts if self.measure(d) > MAX_INCLUDE_DEPTH]
        below = {target.id for d in deep for _, _, target in self.edges(d)}
        out = []
        for decl in deep:
            if decl.id in below:
                continue
            line, name, _ = self.deepest[decl.id]
            out.append(finding("template", f"{self.too_deep(decl, ' from this one')}; "
                               "include the fragments side by side, from fewer levels",
                               _at(decl, line, name)))
        return out

    def too_deep(self, decl: Decl, where: str = "") -> str:
        return (f"includes nest {self.height[decl.id]} levels deep{where} (down to "
                f"{self.bottom(decl)}), over the {MAX_INCLUDE_DEPTH} levels aireg renders")


def render(catalog: Catalog, decl: Decl, variables: dict[str, Any]) -> str:
    """The prompt's template with its includes and variables filled in."""
    if decl.template is None:
        # Say why, when loading said it at the templateFile (an escape, a missing file, ...).
        where = decl.at("spec", "templateFile")
        why = next((f.message for f in catalog.loaded.findings if f.at == where), None)
        raise RefArgumentError(f"{decl.id} has no readable template: {why}" if why else
                               f"{decl.id} has no readable template; run `aireg check`")
    if not is_jinja(decl):
        raise RefArgumentError(f"{decl.id} is a {_spec(decl).templateLanguage} template; "
                               "aireg renders Jinja2 templates only")
    includes = _Includes(catalog)
    if includes.measure(decl) > MAX_INCLUDE_DEPTH:
        raise RefArgumentError(f"{decl.id} does not render: its {includes.too_deep(decl)}; "
                               "run `aireg check`")
    if includes.loop is not None:
        raise RefArgumentError(f"{decl.id} does not render: its includes go round in a loop "
                               f"({' -> '.join(includes.loop)}); run `aireg check`")
    for reached in (catalog.by_id[node] for node in includes.height):
        deep = too_deep(reached.template or "") if includes.facts(reached).error else None
        if deep is not None:
            raise RefArgumentError(f"{decl.id} does not render: {reached.id}'s template, line "
                                   f"{deep[0]}: {deep[1]}")
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
    except RecursionError:
        raise RefArgumentError(f"{decl.id} does not render: {_TOO_COMPLEX}") from None
    except SyntaxError as error:  # Python's own limits on the code Jinja2 compiles it to
        raise RefArgumentError(f"{decl.id} does not render: Jinja2 cannot compile it "
                               f"({error.msg}); nest fewer blocks and loops") from None
    except Exception as error:  # the template's own expressions failed: 1/0, "a" + 1, ...
        raise RefArgumentError(f"{decl.id} does not render: {type(error).__name__}: "
                               f"{error}") from None
