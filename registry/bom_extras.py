"""What cyclonedx-python-lib cannot hold, added to its serialized JSON by bom-ref.

The library has no model for `component.modelCard`, `component.data` or
`service.trustZone`. `bom.build` collects those as plain JSON keyed by bom-ref; `apply` puts
each into the component or service with that bom-ref (nested services included), puts the
top-level keys in the order the specification lists them and returns the document, which is
validated against the official schema afterwards, so a field added here in the wrong shape is
caught.
"""

from __future__ import annotations

import json
from typing import Any

TOP_ORDER = ("$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata",
             "components", "services", "dependencies")


def _walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in items:
        found.append(item)
        found.extend(_walk(item.get("components", [])))
        found.extend(_walk(item.get("services", [])))
    return found


def _add_dependencies(document: dict[str, Any], extra: dict[str, set[str]]) -> None:
    """Merge dependencies on nested services into `dependencies`, one entry per ref."""
    entries = {entry["ref"]: set(entry.get("dependsOn", []))
               for entry in document.get("dependencies", [])}
    for ref, targets in extra.items():
        entries.setdefault(ref, set()).update(targets)
    document["dependencies"] = [
        {"ref": ref, "dependsOn": sorted(targets)} if targets else {"ref": ref}
        for ref, targets in sorted(entries.items())]


def apply(serialized: str, extras: dict[str, dict[str, Any]], keep_timestamp: bool,
          tool_dependencies: dict[str, set[str]] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(serialized)
    _add_dependencies(document, tool_dependencies or {})
    by_ref = {item["bom-ref"]: item for item in _walk(
        [*document.get("components", []), *document.get("services", [])]) if "bom-ref" in item}
    subject = document.get("metadata", {}).get("component")
    if subject is not None and "bom-ref" in subject:
        by_ref[subject["bom-ref"]] = subject
    missing = sorted(set(extras) - set(by_ref))
    if missing:
        raise ValueError(f"extras for bom-refs that are not in the BOM: {', '.join(missing)}")
    for ref, fields in extras.items():
        by_ref[ref].update(fields)
    if not keep_timestamp:
        document.get("metadata", {}).pop("timestamp", None)
    ordered = {key: document[key] for key in TOP_ORDER if key in document}
    ordered.update({k: v for k, v in document.items() if k not in ordered})
    return ordered
