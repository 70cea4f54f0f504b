"""Small helpers shared by test modules."""
import asyncio
import os
import secrets
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError

POSTGRES_URL = os.environ.get("CAFE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_schema() -> Iterator[tuple[str, dict[str, Any]]]:
    """A fresh PostgreSQL schema for one test, dropped afterwards; skips when no server answers (fails under CI)."""
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        engine.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL must run under CI but {POSTGRES_URL} did not answer: {error}")
        pytest.skip(f"no PostgreSQL answers at {POSTGRES_URL} (set CAFE_TEST_POSTGRES_URL)")
    schema = f"t_{secrets.token_hex(6)}"
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield POSTGRES_URL, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()



def received(socket, name: str) -> list[Any]:
    """The payloads of one live event a test client has received since last asked."""
    return [m["args"][0] for m in socket.get_received() if m["name"] == name]


T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a test's asyncio scenario in a thread of its own: Playwright's sync API may hold this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def redis_or_skip(url: str) -> Redis:
    """A client of this Redis database, emptied; skips without Redis (fails under CI)."""
    client = Redis.from_url(url)
    try:
        client.ping()
    except RedisError as error:
        client.close()
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis must run under CI but {url} did not answer: {error}")
        pytest.skip(f"no Redis answers at {url} (set CAFE_TEST_REDIS_URL)")
    client.flushdb()
    return client
