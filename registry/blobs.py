"""Git's id of some bytes as a blob, worked out here with no git call: the parse cache's key
for a file of any tree (the working tree's or a revision's), and what the snapshot's key
compares with the blob id git's index holds. Both trees use it, so it sits below both
(files.py and gitrepo.py), and gitrepo.py may import files.py."""

from __future__ import annotations

import hashlib


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob, in hex."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
