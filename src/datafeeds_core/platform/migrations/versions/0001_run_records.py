"""Run records (datafeeds_run) and the scheduler's feed configuration (datafeeds_feed_config).

A platform database may already have datafeeds_feed_config (webapps created it): it is kept as is.
Migrations spell out their tables instead of importing schema.py, so they stay what they were.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_json = sa.JSON(none_as_null=True)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "datafeeds_feed_config" not in existing:
        op.create_table(
            "datafeeds_feed_config",
            sa.Column("name", sa.String, primary_key=True),
            sa.Column("enabled", sa.Boolean, nullable=False),
            sa.Column("sequential", sa.Boolean, server_default=sa.text("false")),
            sa.Column("weekday", sa.Integer),
            sa.Column("utility_account_scope", sa.String, nullable=False),
            sa.Column(
                "queue",
                sa.Enum(
                    "datafeeds-high",
                    "datafeeds-medium",
                    "datafeeds-low",
                    name="datafeeds_queue_enum",
                ),
                server_default="datafeeds-medium",
            ),
            sa.CheckConstraint(
                "weekday >= 0 AND weekday <= 6", name="ck_datafeeds_feed_config_weekday"
            ),
        )
    op.create_table(
        "datafeeds_run",
        sa.Column("id", _big_id, primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.String(128), nullable=False),
        sa.Column("data_source", sa.BigInteger, nullable=False),
        sa.Column("scraper", sa.String(128)),
        sa.Column("meter", sa.BigInteger),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("attempt", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("executor", sa.String(16), nullable=False),
        sa.Column("batch_job_id", sa.String(128)),
        sa.Column("date_start", sa.Date),
        sa.Column("date_end", sa.Date),
        sa.Column("queued_at", sa.DateTime(timezone=True)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("duration_s", sa.Float),
        sa.Column("counts", _json),
        sa.Column("error_class", sa.String(128)),
        sa.Column("error_message", sa.Text),
        sa.Column("log_location", sa.Text),
        sa.Column("dry_run_diff", _json),
        sa.Column("details", _json),
    )
    op.create_index(
        "ix_datafeeds_run_data_source_started_at", "datafeeds_run", ["data_source", "started_at"]
    )
    op.create_index("ix_datafeeds_run_scraper_status", "datafeeds_run", ["scraper", "status"])
    op.create_index("ix_datafeeds_run_status", "datafeeds_run", ["status"])


def downgrade() -> None:
    # datafeeds_feed_config may predate us (webapps owns it on a platform database): kept.
    op.drop_table("datafeeds_run")
