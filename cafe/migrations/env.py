"""Alembic environment: migrate the database of the current Flask app."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
options = current_app.extensions["migrate"].configure_args


def render_item(kind, value, autogen_context):
    """Write the app's own column types as the plain SQLAlchemy types they store."""
    if kind == "type" and hasattr(value, "impl") and type(value).__module__.startswith("cafe."):
        return f"sa.{value.impl!r}"
    return False


def run_migrations_offline() -> None:
    """Write the SQL for the migrations without a connection."""
    url = db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=db.metadata, literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the app's engine; an autogenerate with no changes writes no file."""
    def skip_empty(_context, _revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite rebuilds a table to alter it; with foreign keys on, dropping the old copy would cascade
            # and delete the rows that refer to it. Outside any transaction, so the pragma takes effect.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=db.metadata, render_item=render_item,
                          process_revision_directives=options.get("process_revision_directives", skip_empty),
                          **{k: v for k, v in options.items() if k != "process_revision_directives"})
        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
