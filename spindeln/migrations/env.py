"""Alembic environment: runs on the connection `spindeln.migrate` hands it."""

from alembic import context
from sqlalchemy import create_engine

import spindeln.models  # noqa: F401  (registers every table on the metadata)
from spindeln.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    """Migrate on `connection`; batch mode lets SQLite alter tables by copying them."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as new_connection:
        run_migrations(new_connection)
