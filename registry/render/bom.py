"""`aireg bom`: serialize, add what the library lacks, validate against the official schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from ..findings import AiregError

if TYPE_CHECKING:
    from ..bom import Mapped

SPEC_VERSIONS = ("1.6", "1.7")


class InvalidBom(AiregError):
    """The BOM aireg made does not validate: a bug in aireg, never the user's fault."""

    exit_code = 3


def serialize(mapped: Mapped, spec_version: str, timestamp: dt.datetime | None) -> str:
    from cyclonedx.output.json import JsonV1Dot6, JsonV1Dot7
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    from .. import bom_extras

    writer, schema = {
        "1.6": (JsonV1Dot6, SchemaVersion.V1_6),
        "1.7": (JsonV1Dot7, SchemaVersion.V1_7),
    }[spec_version]
    text = writer(mapped.bom).output_as_string()
    text = bom_extras.apply(text, mapped.extras, keep_timestamp=timestamp is not None,
                            tool_dependencies=mapped.tool_dependencies)
    validator = JsonStrictValidator(schema)
    for part in _parts(text):
        error = validator.validate_str(part)
        if error is not None:
            detail = getattr(error.data, "message", None) or str(error).splitlines()[0]
            raise InvalidBom(f"the CycloneDX {spec_version} BOM aireg made is invalid, which is "
                             f"a bug in aireg (please report it): {detail}")
    return text


# The schema's `uniqueItems` makes jsonschema compare every pair of components: hours for a
# registry of 20,000 declarations. A BOM is valid exactly when every part below is (the
# schema has no other rule across array items) and no array repeats an item, which is
# checked here in linear time.
PART = 50
ARRAYS = ("components", "services", "dependencies")


def _parts(text: str) -> list[str]:
    document = json.loads(text)
    sizes = [len(document.get(name, [])) for name in ARRAYS]
    if max(sizes) <= PART:
        return [text]
    for name in ARRAYS:
        seen: set[str] = set()
        for item in document.get(name, []):
            canonical = json.dumps(item, sort_keys=True)
            if canonical in seen:
                raise InvalidBom(f"the BOM aireg made repeats an item of `{name}`, which is a "
                                 "bug in aireg (please report it)")
            seen.add(canonical)
    shell = {key: value for key, value in document.items() if key not in ARRAYS}
    parts = [json.dumps(shell)]
    for name in ARRAYS:
        items = document.get(name, [])
        for start in range(0, len(items), PART):
            parts.append(json.dumps({**shell, name: items[start : start + PART]}))
    return parts
