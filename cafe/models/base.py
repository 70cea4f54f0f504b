"""The models' shared pieces: join codes, tokens, the UTC instant column and portable enum columns."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator

# No look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B), so a code read off a projector is typed right.
JOIN_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """A random join code of unambiguous characters."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_token() -> str:
    """An unguessable URL-safe token of 144 bits."""
    return secrets.token_urlsafe(18)


def utcnow() -> datetime:
    """The current instant, timezone-aware."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store in UTC."""
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Read back as an aware UTC instant."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


def enum_column(kind: type[StrEnum], length: int = 16) -> Enum:
    """A portable string column holding an enum's values."""
    return Enum(kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


