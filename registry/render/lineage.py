"""`aireg lineage` in text (a tree), JSON (nodes and steps) and Mermaid (a flowchart)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..lineage import Lineage, Node, Step
from ..refs import NodeId
from . import plural, visible
from .fields import KindText, NodeText, Out, OwnerText, version_field
from .mermaid import _label as mermaid_label

INDENT_MAX = 32


def path_text(path: tuple[NodeId, ...], most: int = 6) -> str:
    """A path of node ids, its middle left out when long."""
    if len(path) <= most:
        return " -> ".join(path)
    return " -> ".join([*path[:3], f"({len(path) - 5} more)", *path[-2:]])


def _facts(node: Node) -> list[str]:
    """The governance facts of a node, one per line, for people."""
    if node.kind == "Model":
        return [f"license: {visible(node.license or 'not declared')}"]
    if node.kind in ("Adapter", "VectorIndex"):
        where = "artifact" if node.kind == "Adapter" else "store"
        return [f"{where}: {visible(node.source)}"] if node.source else []
    if node.kind != "Dataset":
        return []
    personal = {True: "yes", False: "no", None: "not declared"}[node.personal_data]
    lines = [f"license: {visible(node.license or 'not declared')}",
             f"personal data: {personal}"
             + (f", {node.classification}" if node.classification else "")
             + (f", {plural(node.records, 'record')}" if node.records is not None else ""),
             "consent: " + (f"{node.consent_basis}" + (f" for {', '.join(node.consent_uses)}"
                                                      if node.consent_uses else "")
                            if node.consent_basis else "not declared"),
             f"retention: {'until ' + node.retention if node.retention else 'not declared'}"]
    lines += [f"revoked by: {r.id} ({plural(r.subjects, 'subject')}, received {r.received}, "
              f"deadline {r.deadline})" for r in node.revoked_by]
    if node.excludes:
        lines.append(f"excludes: {', '.join(node.excludes)}")
    if node.raw:
        lines.append(f"raw source: {visible(node.source or 'no uri declared')}")
    return lines


def _how(step: Step) -> str:
    parts = [f"step {visible(step.step)}" if step.step else "",
             f"tool {visible(step.tool)}" if step.tool else "",
             f"digest {step.digest}" if step.digest else ""]
    shown = ", ".join(p for p in parts if p)
    return f"  [{shown}]" if shown else ""


def text(lineage: Lineage) -> str:
    root = lineage.nodes[lineage.root]
    lines = [f"{root.id}" + (f"  (owner {root.owner})" if root.owner else "")]
    lines += [f"    {fact}" for fact in _facts(root)]
    shown = {root.id}

    # Depth first with a stack of its own: the depth is the registry's, not Python's.
    stack: list[tuple[Step, str, bool]] = []

    def push(node: NodeId, prefix: str) -> None:
        children = lineage.children(node)
        stack.extend((step, prefix, i == len(children) - 1)
                     for i, step in reversed(list(enumerate(children))))

    push(lineage.root, "")
    while stack:
        step, prefix, last = stack.pop()
        child = lineage.nodes[step.target]
        again = step.target in shown
        lines.append(f"{prefix}{'└── ' if last else '├── '}{step.label} {child.id}"
                     f"{_how(step)}{'  (shown above)' if again else ''}")
        if again:
            continue
        # Past INDENT_MAX levels the tree stops moving right: a chain of thousands of steps
        # stays a file of thousands of lines, not of millions of spaces.
        inner = prefix if len(prefix) >= 4 * INDENT_MAX else prefix + ("    " if last else "│   ")
        shown.add(step.target)
        bar = "│   " if lineage.children(step.target) else "    "
        lines.extend(f"{inner}{bar}{fact}" for fact in _facts(child))
        push(step.target, inner)
    revoked = [n for n in lineage.nodes.values() if n.revoked_by]
    if lineage.open:
        lines.append("")
        for item in lineage.open:
            lines.append(f"Not excluded: {item.id} reaches it through "
                         f"{path_text(item.path)}, and no dataset on the way excludes it "
                         "(see `aireg check`, rule consent-revoked).")
    elif revoked:
        lines += ["", "Every revocation that affects a source is excluded on the way."]
    return "\n".join(lines) + "\n"


# --- JSON -------------------------------------------------------------------------------------


class ConsentOut(Out):
    basis: str = Field(description="the lawful basis the data is processed under "
                       "(spec.consent.basis)")
    uses: list[str] = Field(description="the uses that basis covers (spec.consent.uses)")


class RevokedOut(Out):
    id: str = Field(description="the Revocation node (revocation/<name>)")
    subjects: int = Field(description="how many people withdrew")
    received: str = Field(description="the day the withdrawals were received, YYYY-MM-DD")
    deadline: str = Field(description="the day by which the data must be gone from what was "
                          "built on it, YYYY-MM-DD")


class NodeOut(Out):
    id: NodeText
    kind: KindText
    owner: OwnerText
    license: str | None = Field(description="a Dataset's or Model's spec.license; null when "
                                "not declared or of another kind")
    personalData: bool | None = Field(description="a Dataset's spec.personalData; null when "
                                      "not declared")
    classification: str | None = Field(description="a Dataset's spec.classification: public, "
                                       "internal, confidential or restricted; null when not "
                                       "declared")
    consent: ConsentOut | None = Field(description="a Dataset's spec.consent; null when not "
                                       "declared")
    retention: str | None = Field(description="YYYY-MM-DD: the day the data may be purged")
    records: int | None = Field(description="a Dataset's spec.records; null when not declared")
    source: str | None = Field(description="a dataset's source uri, an adapter's artifact uri "
                               "or an index's store")
    digest: str | None = Field(description="the digest of a dataset's source or an adapter's "
                               "artifact; null when not declared")
    rawSource: bool = Field(description="a dataset derived from no declared dataset")
    excludes: list[str] = Field(description="the revocations this dataset version was made "
                                "without")
    revokedBy: list[RevokedOut] = Field(description="the revocations that affect this version")


class StepOut(Out):
    source: str = Field(description="the node made from, or using, `target`")
    target: str = Field(description="the node `source` was made from or uses")
    label: str = Field(description="uses, base-model, trained-on, tested-on, embedded-by, "
                       "built-from or derived-from")
    step: str | None = Field(description="for derived-from, the transformation (filter, "
                             "dedupe, ...) its spec.derivedFrom entry names; null otherwise")
    tool: str | None = Field(description="for derived-from, what ran the step; null otherwise")
    digest: str | None = Field(description="for derived-from, sha256 of the step's code or "
                               "configuration; null otherwise")


class OpenOut(Out):
    id: str = Field(description="the Revocation node (revocation/<name>)")
    source: str = Field(description="the affected dataset version")
    path: list[str] = Field(description="from the dataset the artifact names down to it")


class LineageOut(Out):
    version: Literal[1] = version_field(1)
    root: str = Field(description="the node the ref names, whose lineage this is")
    nodes: list[NodeOut] = Field(description="sorted by id")
    steps: list[StepOut] = Field(description="sorted by source, target and label")
    notExcluded: list[OpenOut] = Field(description="revocations whose data reaches the root "
                                       "on a path no dataset excludes them on")


def json(lineage: Lineage) -> str:
    nodes = [NodeOut(
        id=n.id, kind=n.kind, owner=n.owner, license=n.license, personalData=n.personal_data,
        classification=n.classification,
        consent=ConsentOut(basis=n.consent_basis, uses=list(n.consent_uses))
        if n.consent_basis else None, retention=n.retention, records=n.records,
        source=n.source, digest=n.digest, rawSource=n.raw, excludes=list(n.excludes),
        revokedBy=[RevokedOut(id=r.id, subjects=r.subjects, received=r.received,
                              deadline=r.deadline) for r in n.revoked_by])
        for n in sorted(lineage.nodes.values(), key=lambda n: n.id)]
    steps = [StepOut(source=s.source, target=s.target, label=s.label, step=s.step, tool=s.tool,
                     digest=s.digest)
             for s in sorted(lineage.steps, key=lambda s: (s.source, s.target, s.label))]
    out = LineageOut(root=lineage.root, nodes=nodes, steps=steps, notExcluded=[
        OpenOut(id=o.id, source=o.source, path=list(o.path)) for o in lineage.open])
    return out.model_dump_json(indent=2) + "\n"


# --- Mermaid ----------------------------------------------------------------------------------

_SHAPES = {"Feature": ('(["', '"])'), "Model": ('[("', '")]'), "Dataset": ('[("', '")]')}


def mermaid(lineage: Lineage) -> str:
    ordered = sorted(lineage.nodes)
    ids = {node: f"n{index}" for index, node in enumerate(ordered)}
    lines = ["flowchart TD"]
    for node_id in ordered:
        node = lineage.nodes[node_id]
        left, right = _SHAPES.get(node.kind, ('["', '"]'))
        facts: list[str] = [node_id]
        if node.kind == "Dataset":
            facts.append(f"license {node.license or 'not declared'}")
            if node.personal_data:
                facts.append("personal data")
            if node.consent_basis:
                facts.append(f"consent: {node.consent_basis}")
            if node.retention:
                facts.append(f"retention until {node.retention}")
            facts += [f"revoked by {r.id}" for r in node.revoked_by]
            facts += [f"excludes {e}" for e in node.excludes]
        lines.append(f"  {ids[node_id]}{left}{'<br>'.join(map(mermaid_label, facts))}{right}")
    for step in sorted(lineage.steps, key=lambda s: (s.source, s.target, s.label)):
        what = step.label + (f": {step.step}" if step.step else "")
        lines.append(f"  {ids[step.source]} -->|{mermaid_label(what)}| {ids[step.target]}")
    revoked = [ids[n.id] for n in (lineage.nodes[i] for i in ordered) if n.revoked_by]
    hit = sorted({ids[node] for item in lineage.open for node in item.path} | {
        ids[lineage.root]} if lineage.open else set())
    if revoked:
        lines.append("  classDef revoked fill:#fde2e1,stroke:#c0392b")
        lines.append(f"  class {','.join(revoked)} revoked")
    if hit:
        lines.append("  classDef holds stroke:#c0392b,stroke-width:3px")
        lines.append(f"  class {','.join(hit)} holds")
    return "\n".join(lines) + "\n"
