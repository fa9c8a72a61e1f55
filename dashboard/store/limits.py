"""What the store accepts from a person: text lengths and row ids, checked on the server.

A browser's ``maxLength`` is a courtesy; a forged request skips it. Every free-text field a
person types is checked here by the writer that stores it (``checked_text``), and every id
read from a URL or a request is checked against the column's range (``parse_id``) before
it reaches a query (SQLite refuses an int beyond 64 bits with OverflowError, not a
SQLAlchemy error).
"""

from __future__ import annotations

import re

# Longest text per field, in characters (the pages' maxLength use the same numbers).
ACK_NOTE = 2000
SILENCE_REASON = 2000
SHIFT_NOTE = 4000
ANNOTATION = 500
# Ids are BIGINT / SQLite INTEGER: 1 … 2**63 - 1.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


class TextTooLong(ValueError):
    """A text longer than its field allows; ``field`` names it for the message."""

    def __init__(self, field: str, length: int, limit: int):
        super().__init__(f"{field}: {length} characters, at most {limit}")
        self.field, self.length, self.limit = field, length, limit


def checked_text(text: str | None, limit: int, field: str) -> str:
    """``text`` stripped, or ``TextTooLong`` when it is longer than ``limit``."""
    text = (text if isinstance(text, str) else "").strip()
    if len(text) > limit:
        raise TextTooLong(field, len(text), limit)
    return text


def parse_id(text: object) -> int | None:
    """A row id from a URL or a request ("42" or 42), or None when it cannot be one."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        value = text
    elif isinstance(text, str) and _DIGITS.fullmatch(text):
        value = int(text)
    else:
        return None
    return value if 1 <= value <= MAX_ID else None
