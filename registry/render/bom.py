"""`aireg bom`: serialize, add what the library lacks, validate against the official schema."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..findings import AiregError, ExitCode

if TYPE_CHECKING:
    import jsonschema_rs

    from ..bom import Mapped

SPEC_VERSIONS = ("1.6", "1.7")
SCHEMA_BASE = "http://cyclonedx.org/schema/"


class InvalidBom(AiregError):
    """The BOM aireg made does not validate: a bug in aireg, never the user's fault."""

    exit_code = ExitCode.INTERNAL


def serialize(mapped: Mapped, spec_version: str, timestamp: dt.datetime | None) -> str:
    from cyclonedx.output.json import JsonV1Dot6, JsonV1Dot7

    from .. import bom_extras

    writer = {"1.6": JsonV1Dot6, "1.7": JsonV1Dot7}[spec_version]
    document = bom_extras.apply(writer(mapped.bom).output_as_string(), mapped.extras,
                                keep_timestamp=timestamp is not None,
                                tool_dependencies=mapped.tool_dependencies)
    validate(document, spec_version)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def validate(document: dict[str, Any], spec_version: str) -> None:
    """Raise InvalidBom unless `document` is valid against the official CycloneDX schema."""
    error = next(iter(validator(spec_version).iter_errors(document)), None)
    if error is not None:
        where = "".join(f"/{step}" for step in error.instance_path)
        where = f" (at {where})" if where else ""
        raise InvalidBom(f"the CycloneDX {spec_version} BOM aireg made is invalid, which is "
                         f"a bug in aireg (please report it): {error.message}{where}")


def _idn_email(value: str) -> bool:
    return "@" in value


@functools.cache
def validator(spec_version: str) -> jsonschema_rs.Validator:
    """The official schema shipped with cyclonedx-python-lib, compiled by jsonschema-rs.

    cyclonedx's JsonStrictValidator (jsonschema, Draft 7 with its FormatChecker) compares
    every pair of items for `uniqueItems` and parses each IRI with an Earley parser: about
    a minute for 20,000 declarations; jsonschema-rs checks the same schema in linear time.
    Formats the schemas use: date-time, date, iri-reference, idn-email, uri (jsf), all
    checked by jsonschema-rs; idn-email keeps jsonschema's rule (an `@`), which is looser
    than jsonschema-rs's, so both validators refuse the same BOMs.
    """
    import jsonschema_rs
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.schema._res import BOM_JSON_STRICT, CRYPTOGRAPHY_DEFS, JSF, SPDX_JSON

    def load(path: str | None) -> Any:
        assert path is not None
        return json.loads(Path(path).read_text(encoding="utf-8"))

    # The same resources as cyclonedx's own validator, under the ids the schema refers to.
    registry = jsonschema_rs.Registry([
        (f"{SCHEMA_BASE}spdx.SNAPSHOT.schema.json", load(SPDX_JSON)),
        (f"{SCHEMA_BASE}jsf-0.82.SNAPSHOT.schema.json", load(JSF)),
        (f"{SCHEMA_BASE}cryptography-defs.SNAPSHOT.schema.json", load(CRYPTOGRAPHY_DEFS)),
    ])
    version = {"1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}[spec_version]
    return jsonschema_rs.Draft7Validator(
        load(BOM_JSON_STRICT[version]), registry=registry, validate_formats=True,
        ignore_unknown_formats=False, formats={"idn-email": _idn_email})
