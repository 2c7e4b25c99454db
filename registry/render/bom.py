"""`aireg bom`: serialize, add what the library lacks, validate against the official schema."""

from __future__ import annotations

import datetime as dt
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
    error = JsonStrictValidator(schema).validate_str(text)
    if error is not None:
        detail = getattr(error.data, "message", None) or str(error).splitlines()[0]
        raise InvalidBom(f"the CycloneDX {spec_version} BOM aireg made is invalid, which is a "
                         f"bug in aireg (please report it): {detail}")
    return text
