"""Alembic environment for datafeeds' own tables: runs on the connection `init_database` passes.

Only our own tables are migrated, with their own version table, so an existing platform database
(and any other Alembic history in it) is left alone.
"""

from __future__ import annotations

from alembic import context

from datafeeds_core.platform.schema import own_metadata

VERSION_TABLE = "datafeeds_alembic_version"

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=own_metadata,
    version_table=VERSION_TABLE,
    on_version_apply=config.attributes.get("on_version_apply"),
)
with context.begin_transaction():
    context.run_migrations()
