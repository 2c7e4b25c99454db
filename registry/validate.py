"""Parsed YAML documents -> validated declarations: each by its kind's model, a prompt with
its template attached; a finding for everything that is wrong."""

from __future__ import annotations

import errno
import posixpath
import stat
from typing import Any

from pydantic import ValidationError

from . import kinds
from .decl import Decl
from .files import CONFIG_FILE, FolderTree, LinkEnd, Tree, display_path, escapes
from .findings import Finding, Pointer, Span, finding
from .paths import INTO_GIT, reaches_git, shown_path, unusable_path
from .refs import suggest
from .schema_errors import describe, schema_findings, shape
from .yamlio import MAX_FILE_BYTES, YamlProblem, decode


def registry_config(data: Any, at: Pointer, findings: list[Finding]
                    ) -> kinds.RegistryConfig | None:
    """aireg.yaml's settings from one of its documents, or None when it holds none that are
    valid (each problem reported)."""
    if not isinstance(data, dict) or data.get("kind") != "Registry":
        findings.append(finding("schema", f"{CONFIG_FILE} holds the registry settings: one "
                                "document of kind Registry; move declarations to other files",
                                at))
        return None
    try:
        return kinds.RegistryConfig.model_validate(data)
    except ValidationError as error:
        findings.extend(schema_findings(error, data, at, kinds.RegistryConfig))
        findings.append(finding("schema", f"{CONFIG_FILE} is invalid, so aireg uses the "
                                "default settings until it is fixed", at))
        return None


def declarations(tree: Tree, rel: str, documents: list[tuple[int, Any]], decls: list[Decl],
                 findings: list[Finding]) -> None:
    """A file's documents, each validated by its kind's model, into `decls`; what is wrong
    into `findings`. Documents that are not aireg's are left alone."""
    path = display_path(tree, rel)
    ours = _holds_declaration([data for _, data in documents])
    for doc, data in documents:
        at = Pointer(path, doc)
        if data is None:
            continue
        if not isinstance(data, dict):
            if ours or _holds_declaration(data):
                what = shape(data)
                findings.append(finding(
                    "schema", f"this document is {what}; a declaration is a mapping with "
                    "apiVersion, kind, metadata and spec (one per document, separated by ---)",
                    at))
            continue
        decl = _declaration(data, at, findings)
        if decl is not None:
            if isinstance(decl.model, kinds.Prompt):
                _attach_template(tree, rel, decl, findings)
            decls.append(decl)


def _holds_declaration(data: Any) -> bool:
    items = data if isinstance(data, list) else []
    return any(isinstance(i, dict) and str(i.get("apiVersion", "")).startswith("aireg/")
               for i in items)


def _declaration(data: dict[Any, Any], at: Pointer, findings: list[Finding]) -> Decl | None:
    api = data.get("apiVersion")
    if not isinstance(api, str) or not api.startswith("aireg/"):
        return None  # not ours: registries live beside workflows and other YAML
    if api != kinds.API_VERSION:
        findings.append(finding("schema", f"apiVersion `{api}` is not supported; this aireg "
                                f"reads {kinds.API_VERSION}", at.child("apiVersion")))
        return None
    kind = data.get("kind")
    if not isinstance(kind, str | None):  # a list or mapping cannot even be looked up
        findings.append(finding("schema", f"`kind` must be one of {', '.join(kinds.KINDS)}; "
                                f"got {describe(kind)}", at.child("kind")))
        return None
    if kind not in kinds.KINDS:
        if kind is None:
            message = f"missing field `kind`; set it to one of {', '.join(kinds.KINDS)}"
            where = at
        elif kind == "Registry":
            message = f"a Registry document belongs in {CONFIG_FILE} at the registry root"
            where = at.child("kind")
        else:
            message = (f"unknown kind `{kind}`{suggest(str(kind), list(kinds.KINDS))}; kinds "
                       f"are {', '.join(kinds.KINDS)}")
            where = at.child("kind")
        findings.append(finding("schema", message, where))
        return None
    cls = kinds.KINDS[kind]
    try:
        model = cls.model_validate(data)
    except ValidationError as error:
        findings.extend(schema_findings(error, data, at, cls))
        return None
    return Decl(model, at.path, at.doc)


def _attach_template(tree: Tree, rel: str, decl: Decl, findings: list[Finding]) -> None:
    spec = decl.model.spec
    assert isinstance(spec, kinds.PromptSpec)
    if spec.template is not None:
        decl.template = spec.template
        return
    assert spec.templateFile is not None
    where = decl.at("spec", "templateFile")
    what = f"templateFile `{shown_path(spec.templateFile)}`"
    unusable = unusable_path(spec.templateFile)
    if unusable is not None:
        findings.append(finding("template", f"{what} {unusable}; write the path of the "
                                "template file, relative to this file", where))
        return
    target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec.templateFile))
    if escapes(target) or spec.templateFile.startswith("/"):
        findings.append(finding("path-escape", f"{what} resolves outside the registry root; "
                                "keep templates inside the registry", where))
        return
    end = tree.link_end(target)
    if end is LinkEnd.OUTSIDE:
        findings.append(finding("path-escape", f"{what} is a link that leads out of the "
                                "registry; replace the link with the file", where))
        return
    if end is LinkEnd.LOOP:
        findings.append(finding("template", f"{what} {LOOP}", where))
        return
    if reaches_git(tree, target):
        findings.append(finding("path-escape", f"{what} {INTO_GIT}; keep templates in the "
                                "registry's own files", where))
        return
    data = _template_bytes(tree, target)
    if data is None:
        findings.append(finding("template", f"{what} does not exist (looked for "
                                f"{display_path(tree, target)})", where))
        return
    if isinstance(data, str):
        findings.append(finding("template", f"{what} {data}", where))
        return
    try:
        decl.template = decode(data)
    except YamlProblem as problem:
        findings.append(finding("template", problem.message,
                                Span(display_path(tree, target), problem.line, problem.column)))
        return
    decl.template_path = display_path(tree, target)


def _template_bytes(tree: Tree, rel: str) -> bytes | str | None:
    """A template file's bytes, None when there is none, or why it is not read. Its size is
    checked before reading (a link's is that of its target, and so is a blob's at a
    revision): a template is held to the size of a declaration file."""
    if isinstance(tree, FolderTree):
        try:
            info = (tree.root / rel).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:  # a link loop, say
            return _unreadable(error)
        if stat.S_ISDIR(info.st_mode):
            return None
        if not stat.S_ISREG(info.st_mode):  # reading a pipe would wait for ever
            return "is not a regular file (a pipe, socket or device); point it at a template"
        size = info.st_size
    else:
        size = tree.size(rel)
    if size > MAX_FILE_BYTES:
        return _too_big(size)
    try:
        data = tree.read(rel)
    except OSError as error:
        return _unreadable(error)
    if data is not None and len(data) > MAX_FILE_BYTES:  # it grew since
        return _too_big(len(data))
    return data


LOOP = "is a link that leads round in a loop; replace the link with the file"


def _unreadable(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return LOOP
    return f"cannot be read ({error.strerror}); point it at a readable template file"


def _too_big(size: int) -> str:
    return (f"is {size / 1048576:.1f} MiB, over the {MAX_FILE_BYTES // 1048576} MiB that aireg "
            "reads in one template: split it into prompts that include each other")
