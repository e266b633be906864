"""Indexes for the run dashboard (`datafeeds web`) over a long history.

- (scraper, status, finished_at): each scraper's last success is one index descent, however
  many runs there are (the loose scan of `run_dashboard.scraper_last_successes`).
- (queued_at, scraper, status, dry_run): the scrapers page counts the last 30 days from the
  index alone (an index-only scan on PostgreSQL), never reading older runs.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_datafeeds_run_scraper_status_finished_at",
        "datafeeds_run",
        ["scraper", "status", "finished_at"],
    )
    op.create_index(
        "ix_datafeeds_run_queued_at_scraper_status",
        "datafeeds_run",
        ["queued_at", "scraper", "status", "dry_run"],
    )


def downgrade() -> None:
    op.drop_index("ix_datafeeds_run_queued_at_scraper_status", table_name="datafeeds_run")
    op.drop_index("ix_datafeeds_run_scraper_status_finished_at", table_name="datafeeds_run")
