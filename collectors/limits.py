"""Payload limits: refuse what is too big, too deep or too clever before it costs memory.

Each check raises ``ParseError`` with a specific ``error_class`` (``too_large`` for size,
rows, depth and decompressed size; ``format`` for what cannot be read safely) and a
message in both languages. Sources may tighten or relax the defaults in their options
(``limits: {max_rows: …}``).
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from pydantic import BaseModel, ConfigDict, Field

from collectors.base import ParseError

MiB = 1024 * 1024


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_bytes: int = Field(default=64 * MiB, gt=0)
    max_rows: int = Field(default=2_000_000, gt=0)
    # Everything inside an xlsx, decompressed (sheets, shared strings, styles …).
    max_xlsx_bytes: int = Field(default=256 * MiB, gt=0)
    max_xlsx_members: int = Field(default=2_000, gt=0)
    max_json_depth: int = Field(default=64, gt=0)


DEFAULT = Limits()


def too_large(message_en: str, message_id: str) -> ParseError:
    return ParseError(message_en, message_id, error_class="too_large")


def check_size(content: bytes, limits: Limits = DEFAULT) -> None:
    if len(content) > limits.max_bytes:
        raise too_large(
            f"payload is {len(content)} bytes, more than the limit of {limits.max_bytes}",
            f"muatan {len(content)} bita, melebihi batas {limits.max_bytes}",
        )


def check_rows(count: int, limits: Limits = DEFAULT) -> None:
    if count > limits.max_rows:
        raise too_large(f"more than {limits.max_rows} rows", f"lebih dari {limits.max_rows} baris")


# --- JSON ---------------------------------------------------------------------


def json_depth(document: Any) -> int:
    """Deepest nesting of a parsed JSON document, walked without recursion."""
    deepest = 0
    stack = [(document, 1)] if isinstance(document, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def load_json(content: bytes, limits: Limits = DEFAULT) -> Any:
    """``json.loads`` with the size checked first and the nesting depth after.

    A pre-scan of the raw text for brackets is either quadratic on hostile input
    (strings full of escaped quotes) or slow in Python; the C parser itself stops
    at the interpreter's recursion limit, so a very deep document fails fast and a
    moderately deep one is measured once parsed.
    """
    check_size(content, limits)
    try:
        document = json.loads(content)
    except RecursionError:
        raise _too_deep(None, limits) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"payload is not JSON: {exc}", f"muatan bukan JSON: {exc}") from None
    depth = json_depth(document)
    if depth > limits.max_json_depth:
        raise _too_deep(depth, limits)
    return document


def _too_deep(depth: int | None, limits: Limits) -> ParseError:
    how = f"{depth} levels" if depth else "too many levels"
    how_id = f"{depth} tingkat" if depth else "terlalu banyak tingkat"
    return too_large(
        f"JSON is nested {how} deep, more than {limits.max_json_depth}",
        f"JSON bersarang {how_id}, melebihi batas {limits.max_json_depth}",
    )


# --- XML ----------------------------------------------------------------------


def parse_xml(content: bytes, limits: Limits = DEFAULT) -> Element:
    """ElementTree root via defusedxml: no DTD, no entities, no external references."""
    check_size(content, limits)
    try:
        return SafeET.fromstring(
            content, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise ParseError(
            f"XML refused: it declares a DTD or entities ({type(exc).__name__})",
            f"XML ditolak: memuat DTD atau entitas ({type(exc).__name__})",
        ) from None
    except (SafeET.ParseError, ValueError, UnicodeError) as exc:
        raise ParseError(
            f"payload is not well-formed XML: {exc}", f"muatan bukan XML yang sah: {exc}"
        ) from None


# --- xlsx (zip) ---------------------------------------------------------------

_CHUNK = 64 * 1024


def check_xlsx(content: bytes, limits: Limits = DEFAULT) -> None:
    """Refuse a zip bomb before openpyxl opens it.

    The declared sizes are checked first (cheap); then every member is actually
    decompressed in 64 KiB chunks that are thrown away, so a zip whose headers lie is
    caught too, with memory bounded by the chunk size.
    """
    check_size(content, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            members = zf.infolist()
            if len(members) > limits.max_xlsx_members:
                raise too_large(
                    f"xlsx holds {len(members)} files, more than {limits.max_xlsx_members}",
                    f"xlsx berisi {len(members)} berkas, melebihi batas {limits.max_xlsx_members}",
                )
            declared = sum(m.file_size for m in members)
            if declared > limits.max_xlsx_bytes:
                raise _unpacks_too_large(declared, limits)
            total = 0
            for member in members:
                with zf.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > limits.max_xlsx_bytes:
                            raise _unpacks_too_large(total, limits)
    except ParseError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
        OSError,
    ) as exc:
        raise ParseError(
            f"not a readable xlsx (zip) file: {exc}; an old .xls must be saved as .xlsx",
            f"bukan berkas xlsx (zip) yang dapat dibaca: {exc}; berkas .xls lama harus disimpan "
            f"sebagai .xlsx",
        ) from None


def _unpacks_too_large(size: int, limits: Limits) -> ParseError:
    return too_large(
        f"xlsx unpacks to more than {limits.max_xlsx_bytes} bytes (at least {size})",
        f"xlsx terurai melebihi {limits.max_xlsx_bytes} bita (sedikitnya {size})",
    )
