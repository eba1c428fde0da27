"""The Alembic migrations build exactly the schema the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from spindeln.db import Base
from spindeln.migrate import current_revision, head_revision, upgrade
from tests.conftest import scratch_postgres_database


def test_migrations_match_the_models(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    engine.dispose()


def test_migrations_match_the_models_on_postgresql():
    with scratch_postgres_database("spindeln_migrations") as url:
        engine = create_engine(url)
        try:
            upgrade(engine)
            with engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            assert differences == []
        finally:
            engine.dispose()
