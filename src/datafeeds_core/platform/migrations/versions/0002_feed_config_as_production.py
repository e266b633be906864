"""datafeeds_feed_config in production's shape (docs/cut-over.md).

0001 created the table on an empty database with `utility_account_scope` varchar, nullable
`sequential` and `queue`, the enum `datafeeds_queue_enum` and the check
`ck_datafeeds_feed_config_weekday`. Production (webapps) has `utility_account_scope` boolean NOT
NULL, `sequential` and `queue` NOT NULL, the enum `datafeeds_feed_config_queue_enum` and the check
`weekdays`. Only a table of 0001's shape is converted: one already in production's shape (a
platform database), or of any other shape, is not ours and is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLE = "datafeeds_feed_config"
# What rows we wrote said "false"; anything that reads as yes is true.
_AS_BOOLEAN = "lower(coalesce(utility_account_scope, '')) IN ('true', 't', '1', 'yes', 'y')"


_COLUMNS_OF_0001 = {"name", "enabled", "sequential", "weekday", "utility_account_scope", "queue"}


def _made_by_0001(bind: sa.engine.Connection) -> bool:
    """The table has 0001's columns, with utility_account_scope not (yet) boolean."""
    columns = {c["name"]: c["type"] for c in sa.inspect(bind).get_columns(TABLE)}
    return set(columns) == _COLUMNS_OF_0001 and not isinstance(
        columns["utility_account_scope"], sa.Boolean
    )


def upgrade() -> None:
    bind = op.get_bind()
    if not _made_by_0001(bind):
        return
    op.execute(f"UPDATE {TABLE} SET sequential = false WHERE sequential IS NULL")
    op.execute(f"UPDATE {TABLE} SET queue = 'datafeeds-medium' WHERE queue IS NULL")
    if bind.dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN utility_account_scope TYPE boolean "
            f"USING ({_AS_BOOLEAN})"
        )
        op.execute("ALTER TYPE datafeeds_queue_enum RENAME TO datafeeds_feed_config_queue_enum")
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN sequential SET NOT NULL")
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN queue SET NOT NULL")
        op.execute(
            f"ALTER TABLE {TABLE} RENAME CONSTRAINT ck_datafeeds_feed_config_weekday TO weekdays"
        )
        return
    # SQLite cannot alter a column: copy the rows into a new table of the right shape.
    new = f"{TABLE}_0002"
    op.create_table(
        new,
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("sequential", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("weekday", sa.Integer),
        sa.Column("utility_account_scope", sa.Boolean, nullable=False),
        sa.Column(
            "queue",
            sa.Enum(
                "datafeeds-high",
                "datafeeds-medium",
                "datafeeds-low",
                name="datafeeds_feed_config_queue_enum",
            ),
            nullable=False,
            server_default="datafeeds-medium",
        ),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekdays"),
    )
    op.execute(
        f"INSERT INTO {new} (name, enabled, sequential, weekday, utility_account_scope, queue) "
        f"SELECT name, enabled, sequential, weekday, CASE WHEN {_AS_BOOLEAN} THEN 1 ELSE 0 END, "
        f"queue FROM {TABLE}"
    )
    op.drop_table(TABLE)
    op.rename_table(new, TABLE)


def downgrade() -> None:
    # Production's shape is the one webapps owns: nothing to undo.
    pass
