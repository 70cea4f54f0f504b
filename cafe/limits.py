"""Rate limits: per device for posting and voting, a high ceiling per address, and organiser logins.

A whole conference often reaches the server from one address (the venue's NAT),
so the per-address limit is only a ceiling that hundreds of phones posting at
the end of a round never reach; each phone is limited by its own device id.
Counters live in Redis when one is configured, so every process shares them.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

PER_DEVICE_POSTS = "20 per minute"
PER_DEVICE_VOTES = "60 per minute"
LOGINS_PER_ADDRESS = "30 per minute"
SLOW_DOWN = "Slow down: that was a lot in a short time. Wait a few seconds, then try again; nothing you sent is lost."


def per_address() -> str:
    """The ceiling per address (CAFE_RATE_LIMIT_PER_ADDRESS requests a minute, posts and votes together)."""
    return f"{current_app.config['CAFE_RATE_LIMIT_PER_ADDRESS']} per minute"


def device() -> str:
    """The phone's device id: its cookie, or `device` in a JSON body; empty when it sent none."""
    found = request.cookies.get("cafe_device", "")
    if not found and request.is_json:
        body = request.get_json(silent=True)
        found = str(body.get("device") or "") if isinstance(body, dict) else ""
    return found


def device_key() -> str:
    """The key that counts one phone's requests."""
    return f"device:{device()}"


def no_device() -> bool:
    """Requests without a device id (scripts, tests) meet only the per-address ceiling."""
    return not device()


def facilitator_request() -> bool:
    """A request bearing an API token: facilitators' scripts are not throttled like phones."""
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


class SweptMemoryStorage(MemoryStorage):
    """The counters of one process, whose expired keys are swept at most once a second during a count.

    The library's memory storage starts a timer thread 10 ms after every count to sweep expired keys: at the end
    of a round, one thread per note, each walking every phone's key. Expired counters are also dropped when read,
    so sweeping now and then only bounds the memory they hold.
    """

    STORAGE_SCHEME = ["cafe-memory"]
    _swept = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # the library's hook, called on every count
        now = time.monotonic()
        if now - self._swept >= 1:
            self._swept = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


# No X-RateLimit headers on every answer (working them out costs more than the check); a 429 says Retry-After.
limiter = Limiter(key_func=get_remote_address, headers_enabled=False)
posts = [limiter.shared_limit(PER_DEVICE_POSTS, scope="posts", key_func=device_key, error_message=SLOW_DOWN,
                              exempt_when=no_device),
         limiter.shared_limit(per_address, scope="address", error_message=SLOW_DOWN, exempt_when=facilitator_request)]
votes = [limiter.shared_limit(PER_DEVICE_VOTES, scope="votes", key_func=device_key, error_message=SLOW_DOWN,
                              exempt_when=no_device),
         limiter.shared_limit(per_address, scope="address", error_message=SLOW_DOWN, exempt_when=facilitator_request)]
logins = limiter.limit(LOGINS_PER_ADDRESS, methods=["POST"], error_message=SLOW_DOWN)


def retry_after() -> int:
    """Seconds until the limit this request went over lets it through again (at least one)."""
    broken = limiter.current_limit
    return max(1, int(broken.reset_at - time.time())) if broken else 60


def init_app(app: Flask) -> None:
    """Bind the limiter; its counters go to Redis when CAFE_RATE_LIMIT_STORAGE or the message queue names one."""
    storage = app.config["CAFE_RATE_LIMIT_STORAGE"] or app.config["CAFE_MESSAGE_QUEUE"] or "cafe-memory://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    # Redis restarting must not refuse notes: count in this process meanwhile, and never fail a request over a limit.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
