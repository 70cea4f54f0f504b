"""Migrations build, from empty, the schema the models describe, on SQLite and PostgreSQL."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from cafe.db import db

pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def empty_app(app):
    """The app with no tables at all, as on a fresh machine."""
    db.drop_all()
    return app


def test_upgrade_from_empty_matches_the_models(empty_app):
    upgrade()
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"render_as_batch": True}), db.metadata)
    assert differences == []


def test_downgrade_to_empty_and_up_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert {"events", "tables", "headings", "rounds", "participants", "users"} <= set(inspect(db.engine).get_table_names())


def test_upgrade_gives_existing_rows_their_new_links(empty_app):
    upgrade(revision="0002")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO users (id, email, name, password_hash, created_at) "
                                   "VALUES (1, 'a@example.org', '', 'x', '2026-01-01 00:00:00')")
        connection.exec_driver_sql("INSERT INTO events (id, owner_id, code, name, venue, description, status, created_at) "
                                   "VALUES (1, 1, 'AAAAAA', 'E', '', '', 'setup', '2026-01-01 00:00:00')")
        connection.exec_driver_sql("INSERT INTO tables (id, event_id, number, theme, host, question, capacity, token) "
                                   "VALUES (1, 1, 1, 'T', '', '', 8, 'tok'), (2, 1, 2, 'U', '', '', 8, 'tok2')")
        connection.exec_driver_sql("INSERT INTO participants (id, event_id, name, organisation, role, does_not_move) "
                                   "VALUES (1, 1, 'P', '', '', false), (2, 1, 'Q', '', '', false)")
    upgrade()
    with db.engine.connect() as connection:
        people = connection.exec_driver_sql("SELECT token FROM participants").scalars().all()
        hosts = connection.exec_driver_sql("SELECT host_token FROM tables").scalars().all()
    assert len(set(people)) == 2 and all(len(t) >= 24 for t in people)
    assert len(set(hosts)) == 2 and all(len(t) >= 24 for t in hosts)
