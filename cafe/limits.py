"""Rate limits: per device for posting and voting, a high ceiling per address, and organiser logins.

A whole conference often reaches the server from one address (the venue's NAT),
so the per-address limit is only a ceiling that hundreds of phones posting at
the end of a round never reach; each phone is limited by its own device id.
Counters live in Redis when one is configured, so every process shares them; while
that Redis is away, each process counts in its own memory and no request is refused
over a counter. Posting is the busiest route, so a check is only a count per rule
(the `limits` library's fixed windows), made in the view's decorator.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, Callable

from flask import Flask, current_app, g, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

PER_DEVICE_POSTS = "20 per minute"
PER_DEVICE_VOTES = "60 per minute"
LOGINS_PER_ADDRESS = "30 per minute"
SLOW_DOWN = "Slow down: that was a lot in a short time. Wait a few seconds, then try again; nothing you sent is lost."
STORAGE_RETRY_SECONDS = 5  # while the shared counters are away, how often to try them again


class SweptMemoryStorage(MemoryStorage):
    """The counters of one process, whose expired keys are swept at most once a second during a count.

    The library's memory storage starts a timer thread 10 ms after every count to sweep expired keys: at the end
    of a round, one thread per note, each walking every phone's key. Expired counters are also dropped when read,
    so sweeping now and then only bounds the memory they hold.
    """

    STORAGE_SCHEME = ["cafe-memory"]  # a scheme of its own: memory:// stays the library's
    _swept = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # the library's hook, called on every count
        now = time.monotonic()
        if now - self._swept >= 1:
            self._swept = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


class Counters:
    """Where an app's counts are kept: the configured storage, or this process's memory while that one is away."""

    def __init__(self, uri: str):
        self.local = FixedWindowRateLimiter(SweptMemoryStorage())
        self.shared = FixedWindowRateLimiter(storage_from_string(uri)) if uri else None
        self.away_since: float | None = None

    def _in_use(self) -> FixedWindowRateLimiter:
        """The shared counters, unless they failed within the last few seconds."""
        if self.shared is None or (self.away_since and time.monotonic() - self.away_since < STORAGE_RETRY_SECONDS):
            return self.local
        return self.shared

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Count one request; False when it goes over the limit."""
        counters = self._in_use()
        try:
            allowed = counters.hit(item, *identifiers)
        except Exception as error:  # noqa: BLE001 - any failure of the shared storage: count here meanwhile
            if counters is self.local:
                raise
            if self.away_since is None:
                current_app.logger.warning("rate-limit counters unreachable (%s); counting in this process", error)
            self.away_since = time.monotonic()
            return self.local.hit(item, *identifiers)
        if counters is self.shared and self.away_since is not None:
            current_app.logger.info("rate-limit counters reachable again")
            self.away_since = None
        return allowed

    def reset_at(self, item: RateLimitItem, *identifiers: str) -> float:
        """When the window of these counters starts again (seconds since the epoch)."""
        try:
            return self._in_use().get_window_stats(item, *identifiers).reset_time
        except Exception:  # noqa: BLE001 - the shared storage went away just now
            return self.local.get_window_stats(item, *identifiers).reset_time


@lru_cache(maxsize=64)
def _item(amount: str) -> RateLimitItem:
    """A parsed limit such as "20 per minute"."""
    return parse(amount)


def address() -> str:
    """The requester's address (the phone's, behind a proxy: see CAFE_PROXY_COUNT)."""
    return request.remote_addr or "127.0.0.1"


def device() -> str:
    """The phone's device id: its cookie, or `device` in a JSON body; empty when it sent none."""
    found = request.cookies.get("cafe_device", "")
    if not found and request.is_json:
        body = request.get_json(silent=True)
        found = str(body.get("device") or "") if isinstance(body, dict) else ""
    return found


def facilitator_request() -> bool:
    """A request bearing an API token: facilitators' scripts are not throttled like phones."""
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def per_address() -> str:
    """The ceiling per address (CAFE_RATE_LIMIT_PER_ADDRESS requests a minute, posts and votes together)."""
    return f"{current_app.config['CAFE_RATE_LIMIT_PER_ADDRESS']} per minute"


@dataclass(frozen=True)
class Rule:
    """One limit: how many a minute (a text, or a function of the app's settings), counted per what the key
    returns (nothing: the rule does not apply), unless `exempt` says so; `methods` limits it to those."""

    scope: str
    amount: str | Callable[[], str]
    key: Callable[[], str]
    exempt: Callable[[], bool] = lambda: False
    methods: tuple[str, ...] = ()

    def applies(self) -> bool:
        """Whether this request is counted by this rule."""
        return (not self.methods or request.method in self.methods) and not self.exempt()


def limited(*rules: Rule) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view: each request counts against every rule in turn; one over its count gets 429 "Slow down"."""
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            counters: Counters = current_app.extensions["cafe.limits"]
            for rule in rules:
                key = rule.key() if rule.applies() else ""
                if not key:
                    continue
                item = _item(rule.amount() if callable(rule.amount) else rule.amount)
                if not counters.hit(item, rule.scope, key):
                    g.cafe_retry_at = counters.reset_at(item, rule.scope, key)
                    raise TooManyRequests(SLOW_DOWN)
            return view(*args, **kwargs)
        return checked
    return decorate


ADDRESS_CEILING = Rule("address", per_address, address, exempt=facilitator_request)
posts = limited(Rule("posts", PER_DEVICE_POSTS, device), ADDRESS_CEILING)
votes = limited(Rule("votes", PER_DEVICE_VOTES, device), ADDRESS_CEILING)
logins = limited(Rule("logins", LOGINS_PER_ADDRESS, address, methods=("POST",)))


def retry_after() -> int:
    """Seconds until the limit this request went over lets it through again (at least one)."""
    retry_at = g.get("cafe_retry_at")
    return max(1, int(retry_at - time.time())) if retry_at else 60


def init_app(app: Flask) -> None:
    """Keep the app's counters in Redis when CAFE_RATE_LIMIT_STORAGE or the message queue names one, else here."""
    app.extensions["cafe.limits"] = Counters(app.config["CAFE_RATE_LIMIT_STORAGE"] or app.config["CAFE_MESSAGE_QUEUE"])
