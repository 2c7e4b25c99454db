"""Which files of a tree are declaration files: those aireg.yaml's include globs select and
its exclude globs do not, less links that lead out of the registry or to nothing."""

from __future__ import annotations

from . import kinds
from .files import (
    CONFIG_FILE,
    GlobError,
    Globs,
    LinkEnd,
    Tree,
    check_glob,
    display_path,
    excluded,
    selected,
)
from .findings import Finding, Pointer, Span, finding


def select(tree: Tree, config: kinds.RegistryConfig) -> tuple[list[str], list[Finding]]:
    """The files to load (relative to the registry root, in listing order), and a finding for
    each selected link that cannot be followed."""
    findings: list[Finding] = []
    spec = config.spec
    include, exclude = Globs(spec.include), Globs(spec.exclude)
    rels: list[str] = []
    for entry in tree.files():
        path = display_path(tree, entry.rel)
        if entry.is_dir:
            if not tree.link_stays_inside(entry.rel) and not excluded(entry.rel, exclude):
                findings.append(finding(
                    "path-escape", "this folder is a link that leads out of the registry; aireg "
                    "does not follow it: move its files into the registry or exclude it",
                    Span(path)))
            continue
        if entry.rel == CONFIG_FILE or not selected(entry.rel, include, exclude):
            continue
        end = tree.link_end(entry.rel) if entry.is_link else LinkEnd.INSIDE
        if end is LinkEnd.OUTSIDE:
            findings.append(finding("path-escape", "this file is a link that leads out of the "
                                    "registry; aireg reads no file outside it: move the file "
                                    "into the registry or exclude it", Span(path)))
            continue
        if end is not LinkEnd.INSIDE:
            what = ("a loop of links, which leads to no file" if end is LinkEnd.LOOP
                    else "a link to a file that does not exist")
            findings.append(finding("yaml-syntax", f"this file is {what}, so aireg cannot read "
                                    "it: point the link at a file, remove it or exclude it",
                                    Span(path)))
            continue
        rels.append(entry.rel)
    return rels, findings


def usable_globs(config: kinds.RegistryConfig, at: Pointer, findings: list[Finding]
                  ) -> kinds.RegistryConfig:
    """The settings without the include and exclude globs that cannot be used, each
    reported; the others still apply."""
    kept: dict[str, list[str]] = {}
    for name in ("include", "exclude"):
        globs: list[str] = getattr(config.spec, name)
        kept[name] = []
        for index, glob in enumerate(globs):
            try:
                check_glob(glob)
            except GlobError as error:
                findings.append(finding("schema", f"`spec.{name}[{index}]`: {error}; until "
                                        "then aireg leaves this glob out",
                                        at.child("spec", name, index)))
            else:
                kept[name].append(glob)
    if kept == {"include": config.spec.include, "exclude": config.spec.exclude}:
        return config
    return config.model_copy(update={"spec": config.spec.model_copy(update=kept)})
