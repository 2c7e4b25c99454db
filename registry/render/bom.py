"""`aireg bom`: validate the BOM document against the official schema, then serialize it."""

from __future__ import annotations

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


def serialize(mapped: Mapped, spec_version: str) -> bytes:
    """The BOM as UTF-8 JSON text, once the official schema has accepted it: bytes, written
    as they are (at 100,000 declarations, decoding and encoding again cost two more copies
    of 125 MB)."""
    document = mapped.document
    if document.get("specVersion") != spec_version:
        raise InvalidBom(f"the BOM was built for CycloneDX {document.get('specVersion')}, "
                         f"not {spec_version}; this is a bug in aireg")
    validate(document, spec_version)
    # orjson: json.dumps with an indent falls back to the pure-Python encoder, 6.5 s of a
    # 15 s first BOM at 20,000 declarations; orjson writes the same text in a tenth of a second.
    import orjson

    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def validate(document: dict[str, Any], spec_version: str) -> None:
    """Raise InvalidBom unless `document` is valid against the official CycloneDX schema."""
    checker = validator(spec_version)
    if checker.is_valid(document):  # a tenth faster than looking for the first error
        return
    error = next(iter(checker.iter_errors(document)), None)
    where, message = "", "the schema refuses it"
    if error is not None:
        where = "".join(f"/{step}" for step in error.instance_path)
        where, message = f" (at {where})" if where else "", error.message
    raise InvalidBom(f"the CycloneDX {spec_version} BOM aireg made is invalid, which is "
                     f"a bug in aireg (please report it): {message}{where}")


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
