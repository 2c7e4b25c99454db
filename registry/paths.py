"""Paths a declaration or aireg.yaml names: whether any file system could hold them, whether
they lead into git's own files, and how to quote them in a message."""

from __future__ import annotations

import os
from pathlib import Path

from .files import FolderTree, Tree

# Longer paths than file systems take (NAME_MAX and PATH_MAX on Linux) cannot name a file,
# and asking the system about them fails in ways of their own (ENAMETOOLONG).
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096
INTO_GIT = ("leads into .git, git's own files, which aireg never reads (a checkout's "
            ".git/config can hold credentials)")
# Code points macOS ignores in file names, so `.g\u200cit` is `.git` there (as git checks).
_IGNORED_IN_NAMES = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u202a\u202b\u202c"
                                      "\u202d\u202e\u206a\u206b\u206c\u206d\u206e\u206f"
                                      "\ufeff"))


def shown_path(written: str) -> str:
    """A path a declaration names, short enough to quote in a message, with characters a
    terminal would act on written as escapes."""
    short = written if len(written) <= 80 else written[:60] + "…"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in short)


def unusable_path(written: str) -> str | None:
    """Why no file system could hold a path a declaration names, or None."""
    if "\0" in written:
        return "holds a NUL character, which no file name can"
    try:
        encoded = os.fsencode(written)
    except UnicodeError:  # a lone surrogate (PyYAML refuses them; a library caller may not)
        return "holds a character that no file name can (an unpaired surrogate)"
    size = len(encoded)
    longest = max(len(part) for part in encoded.split(b"/"))
    if size > MAX_PATH_BYTES or longest > MAX_NAME_BYTES:
        return (f"is {size} bytes long, more than a file system takes ({MAX_NAME_BYTES} bytes "
                f"a name, {MAX_PATH_BYTES} in all)")
    return None


def _is_git_name(name: str) -> bool:
    # Spelt as the file systems read it: in any case, with the trailing dots and spaces
    # Windows drops, as its short name GIT~1, or with code points macOS ignores.
    name = name.translate(_IGNORED_IN_NAMES).rstrip(". ").lower()
    return name in (".git", "git~1")


def reaches_git(tree: Tree, rel: str) -> bool:
    """Whether a registry path leads into git's own files: a `.git` folder (this repository's
    or a nested one's) or a worktree's or submodule's `.git` file, by its names or, in the
    working tree, through links. Git's files are inside the repository, so the path-escape
    checks pass them."""
    if any(_is_git_name(part) for part in rel.split("/")):
        return True
    if not isinstance(tree, FolderTree):
        return False  # a revision's tree holds no .git entries: its links cannot reach them
    real = os.path.relpath(os.path.realpath(tree.root / rel), tree.real_root)
    return any(_is_git_name(part) for part in Path(real).parts)
