"""Every setting once: its name, default and one line of help (CAFE_* environment variables)."""
from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One setting: read from the environment variable CAFE_<name>."""

    name: str
    default: Any
    help: str
    cast: Callable[[str], Any] = str
    secret: bool = False

    @property
    def env(self) -> str:
        """The environment variable that sets it."""
        return f"CAFE_{self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "", "SQLAlchemy database URL; empty means a SQLite file in instance/cafe.sqlite3"),
    Setting("SECRET_KEY", "", "Key that signs sessions; empty means one generated on first run and kept in instance/", secret=True),
    Setting("MESSAGE_QUEUE", "", "Socket.IO message queue URL (redis://...) shared by several server processes; empty for one process"),
    Setting("EXPORT_DIR", str(ROOT / "exports"), "Folder where generated exports are written"),
    Setting("PUBLIC_URL", "", "Public base URL that QR codes and printed links point to; empty means http://HOST:PORT"),
    Setting("HOST", "127.0.0.1", "Address the development and demo server listens on"),
    Setting("PORT", 5000, "Port the development and demo server listens on", cast=int),
    Setting("ASYNC_MODE", "gevent", "Socket.IO async mode: gevent for serving (measured fastest); threading for tests and tools"),
    Setting("SYNC_SECONDS", 15, "How often, in seconds, the server re-sends the round clock so screens stay in step", cast=int),
    Setting("RATE_LIMIT_STORAGE", "", "Where rate-limit counters live (redis://...); empty: the message queue's Redis, else memory"),
    Setting("RATE_LIMIT_PER_ADDRESS", 3000, "Posts and votes a minute from one address (a venue's NAT carries every phone): a high ceiling", cast=int),
    Setting("LOGIN_LOCK_MINUTES", 15, "After 5 failed logins in a row an account is locked for this many minutes", cast=int),
    Setting("MAX_UPLOAD_MB", 2, "Largest request body accepted, in megabytes (uploads of CSV and YAML files)", cast=float),
    Setting("PROXY_COUNT", 0, "How many reverse proxies (e.g. 1 for nginx) set X-Forwarded-For/-Proto in front of cafe; 0 trusts none", cast=int),
)


def from_environment(environ: os._Environ[str] | dict[str, str] = os.environ) -> dict[str, Any]:
    """Return every setting as CAFE_* keys, from the environment or its default."""
    values = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        values[setting.env] = setting.default if raw is None else _read(setting, raw)
    return values


def _read(setting: Setting, raw: str) -> Any:
    """A setting's value from its variable's text; numbers must be finite and not negative, or the error says which."""
    if setting.cast is str:
        return raw
    try:
        value = setting.cast(raw)
    except ValueError:
        raise ValueError(f"{setting.env} must be a number, not {raw!r}.") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{setting.env} must be a number of zero or more, not {raw!r}.")
    return value


def derive_flask_config(config: dict[str, Any], instance_path: Path) -> dict[str, Any]:
    """Fill in derived settings and translate CAFE_* settings into the keys Flask and its extensions read."""
    database_url = config["CAFE_DATABASE_URL"] or f"sqlite:///{instance_path / 'cafe.sqlite3'}"
    return {
        "CAFE_PUBLIC_URL": (config["CAFE_PUBLIC_URL"] or f"http://{config['CAFE_HOST']}:{config['CAFE_PORT']}").rstrip("/"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": config["CAFE_SECRET_KEY"] or instance_secret_key(instance_path),
        "MAX_CONTENT_LENGTH": int(config["CAFE_MAX_UPLOAD_MB"] * 1024 * 1024),
    }


def instance_secret_key(instance_path: Path) -> str:
    """Read the secret key kept in the instance folder, creating it on first run."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def describe(config: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each setting's variable, current value (secrets masked) and help, for display."""
    rows = []
    for setting in SETTINGS:
        value = config.get(setting.env, setting.default)
        shown = ("********" if value else "(generated, kept in instance/)") if setting.secret else str(value)
        rows.append((setting.env, shown or "(empty)", setting.help))
    return rows
