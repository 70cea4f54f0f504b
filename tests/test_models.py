"""Models on SQLite and PostgreSQL: defaults, constraints, cascades."""
import re

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from cafe.db import db
from cafe.models import JOIN_ALPHABET, Event, EventStatus, Heading, Participant, Table

pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


def test_new_event_has_join_code_and_setup_status(create_event):
    event = create_event()
    assert re.fullmatch(f"[{JOIN_ALPHABET}]{{6}}", event.code)
    assert not set(event.code) & set("0O1IL2Z5S8B")
    assert event.status is EventStatus.SETUP


def test_tables_have_unguessable_distinct_tokens(create_event):
    event = create_event(tables=4)
    tokens = [t.token for t in event.tables]
    assert len(set(tokens)) == 4
    assert all(len(token) >= 24 for token in tokens)  # 18 random bytes: 144 bits


def test_headings_keep_their_order(create_event):
    table = create_event().tables[0]
    assert table.heading_titles == ["Blockers", "Ideas"]


def test_table_numbers_are_unique_per_event(create_event):
    event = create_event(tables=1)
    db.session.add(Table(event_id=event.id, number=1, theme="Again"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_deleting_an_event_deletes_everything_it_holds(create_event):
    event = create_event()
    db.session.delete(event)
    db.session.commit()
    for model in (Event, Table, Heading, Participant):
        assert db.session.scalar(select(sa.func.count()).select_from(model)) == 0


def test_host_link_is_cleared_when_table_goes(create_event):
    event = create_event(tables=2)
    host = next(p for p in event.participants if p.host_of)
    db.session.delete(host.host_of)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Participant, host.id).host_of is None
