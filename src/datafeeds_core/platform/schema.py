"""Platform tables with the names and columns of JOBS.md §2, and our own tables.

Two MetaData objects keep the two apart: `platform_metadata` is the webapps-owned schema (created
only on an empty database), `own_metadata` holds the tables datafeeds owns (created and evolved by
the migrations in `platform/migrations`). PostgreSQL gets its native types (jsonb, varchar[],
enums, an owned sequence stepping by 10); SQLite gets JSON and plain strings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.types import TypeEngine

platform_metadata = MetaData()
own_metadata = MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets bigint / bigserial.
BigId: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
Json: TypeEngine[Any] = JSON(none_as_null=True)
JsonB: TypeEngine[Any] = JSON(none_as_null=True).with_variant(
    JSONB(none_as_null=True), "postgresql"
)
StringArray: TypeEngine[Any] = Json.with_variant(ARRAY(String), "postgresql")

# The application generates meter oids from this sequence's node number (JOBS §2.4).
OID_ADAPTER_SEQUENCE = Sequence("webapps_platform_oid_adapter_seq", metadata=platform_metadata)

PROVIDER_TYPE = Enum(
    "utility-bundled", "tnd-only", name="provider_type_enum", metadata=platform_metadata
)
PARTIAL_PROVIDER_TYPE = Enum(
    "tnd-only",
    "generation-only",
    name="partial_bill_provider_type_enum",
    metadata=platform_metadata,
)


def _oid() -> Column[int]:
    """`oid` bigint primary key with a default from an owned sequence ("seq" in JOBS §2)."""
    return Column("oid", BigId, primary_key=True, autoincrement=True)


# ---------------------------------------------------------------- account / meter / service

snapmeter_account = Table(
    "snapmeter_account",
    platform_metadata,
    _oid(),
    Column("hex_id", String),
    Column(
        "account_type",
        Enum("free", "demo", "trial", "paid", name="snapmeter_account_type_enum"),
    ),
    Column("created", DateTime, nullable=False),
    Column("domain", String, nullable=False),
    Column("name", String, nullable=False),
    Column(
        "status",
        Enum("setup", "new customer", "active", "retired", name="snapmeter_account_status_enum"),
    ),
    Column("token_login", Boolean, nullable=False),
)

meter = Table(
    "meter",
    platform_metadata,
    Column("oid", BigId, primary_key=True, autoincrement=False),  # no default: JOBS §2.4
    Column("billing", String),
    Column("building", BigInteger),
    Column("commodity", String),
    Column("interval", Integer),
    Column("kind", String),
    Column("name", String),
    Column("number", String),
    Column("parent", BigInteger),
    Column("point", String),
    Column("service", BigInteger),  # → utility_service.oid, not enforced
    Column("system", String),
    Column(
        "direction",
        Enum("forward", "reverse", name="meter_direction_enum"),
        nullable=False,
        server_default="forward",
    ),
)

snapmeter_account_meter = Table(
    "snapmeter_account_meter",
    platform_metadata,
    _oid(),
    Column("account", BigId, ForeignKey("snapmeter_account.oid", ondelete="CASCADE")),
    Column("meter", BigInteger),
    Column("estimated_changes", JsonB),
    Column("created", DateTime),
    Column("snapmeter_delivery", Boolean, server_default=text("true")),
    UniqueConstraint("account", "meter"),
)

_SERVICE_FIELDS = (
    "service_id",
    "tariff",
    "utility",
    "utility_account_id",
    "gen_service_id",
    "gen_tariff",
    "gen_utility",
    "gen_utility_account_id",
)

utility_service = Table(
    "utility_service",
    platform_metadata,
    _oid(),
    Column("account", BigInteger),
    Column("active", Boolean, server_default=text("true")),
    Column("group", String),
    Column("options", Json),
    *(Column(name, String) for name in _SERVICE_FIELDS),
    Column("gen_options", Json),
    Column("provider_type", PROVIDER_TYPE),
    Index("ix_utility_service_service_id", "service_id"),
    Index("ix_utility_service_gen_service_id", "gen_service_id"),
)
event.listen(
    utility_service,
    "after_create",
    DDL("ALTER SEQUENCE utility_service_oid_seq INCREMENT BY 10").execute_if(dialect="postgresql"),
)

utility_service_snapshot = Table(
    "utility_service_snapshot",
    platform_metadata,
    _oid(),
    Column("service", BigId, ForeignKey("utility_service.oid", ondelete="CASCADE")),
    *(Column(name, String) for name in _SERVICE_FIELDS),
    Column("provider_type", PROVIDER_TYPE),
    Column("system_created", DateTime, nullable=False),
    Column("system_modified", DateTime, nullable=False),
    Column("service_modified", DateTime, nullable=False),
    UniqueConstraint("service", "service_modified"),
)

building = Table(
    "building",
    platform_metadata,
    _oid(),
    Column("timezone", String),  # missing → America/Los_Angeles
    Column("street1", String),
    Column("street2", String),
    Column("city", String),
    Column("state", String),
    Column("zip", String),
    Column("country", String),
)

product_enrollment = Table(
    "product_enrollment",
    platform_metadata,
    _oid(),
    Column("meter", BigInteger),
    Column("product", String),  # opsbillaudit, hodor, …
    Column("status", String),  # active, trial, notEnrolled
)

# ---------------------------------------------------------------- scraper configuration

snapmeter_account_data_source = Table(
    "snapmeter_account_data_source",
    platform_metadata,
    _oid(),
    Column("hex_id", String),
    Column(
        "account",
        BigId,
        ForeignKey("snapmeter_account.oid", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("source_account_type", String, nullable=False),
    Column("name", String, nullable=False),
    Column("username_bytes", LargeBinary),
    Column("password_bytes", LargeBinary),
    Column("enabled", Boolean, nullable=False),
)

snapmeter_meter_data_source = Table(
    "snapmeter_meter_data_source",
    platform_metadata,
    _oid(),
    Column("hex_id", String),
    Column("meter", BigInteger),  # → meter.oid, not enforced
    Column("name", String),  # the scraper key
    Column(
        "account_data_source",
        BigId,
        ForeignKey("snapmeter_account_data_source.oid", ondelete="CASCADE"),
    ),
    Column("meta", JsonB),
    Column("source_types", StringArray),  # {billing}, {interval}, {partial-billing}
    UniqueConstraint("account_data_source", "meter", "name"),
    Index("ix_snapmeter_meter_data_source_meter", "meter"),
    Index("ix_snapmeter_meter_data_source_account_data_source", "account_data_source"),
    Index("ix_snapmeter_meter_data_source_hex_id", "hex_id"),
)

# ---------------------------------------------------------------- results


def _bill_values() -> tuple[Column[Any], ...]:
    """The columns `bill` and `partial_bill` share (fresh objects: a Column has one table)."""
    return (
        Column("initial", Date),
        Column("closing", Date),
        Column("cost", Float),
        Column("used", Float),
        Column("peak", Float),
        Column("items", Json),  # [{description, quantity, rate, total, kind, unit}]
        Column("attachments", Json),  # [{key, kind: "bill", format: "PDF", …}]
        Column("manual", Boolean),
        Column("modified", DateTime, server_default=text("CURRENT_TIMESTAMP")),
        Column("created", DateTime),
        Column("notes", Text),
        Column("visible", Boolean, nullable=False, server_default=text("true")),
        Column("source", String),
        Column("utility_code", String),
    )


bill = Table(
    "bill",
    platform_metadata,
    _oid(),
    Column("service", BigInteger),  # → utility_service.oid, not enforced
    *_bill_values(),
    Column("has_all_charges", Boolean),
    Column("has_cost_curve", Boolean),
    Column("tnd_cost", Float),
    Column("gen_cost", Float),
    Column("gen_utility_code", String),
    Index("ix_bill_service_initial_closing", "service", "initial", "closing"),
    Index(
        "ix_bill_service_closing_initial_cost_used", "service", "closing", "initial", "cost", "used"
    ),
)

partial_bill = Table(
    "partial_bill",
    platform_metadata,
    _oid(),
    Column("service", BigId, ForeignKey("utility_service.oid", ondelete="CASCADE"), nullable=False),
    *_bill_values(),
    Column("tariff", String),
    Column("provider_type", PARTIAL_PROVIDER_TYPE),
    Column("superseded_by", BigId, ForeignKey("partial_bill.oid")),
    Column("service_id", String),
    Column("utility", String),
    Column("utility_account_id", String),
    Column("third_party_expected", Boolean),
    Index("ix_partial_bill_service_initial_closing", "service", "initial", "closing"),
)

partial_bill_link = Table(
    "partial_bill_link",
    platform_metadata,
    _oid(),
    Column("bill", BigId, ForeignKey("bill.oid", ondelete="CASCADE")),
    Column("partial_bill", BigId, ForeignKey("partial_bill.oid", ondelete="CASCADE")),
    Column("created", DateTime),
    UniqueConstraint("bill", "partial_bill"),
)

bill_document = Table(
    "bill_document",
    platform_metadata,
    _oid(),
    Column("s3_key", String, nullable=False, unique=True),
    Column("doc_format", String, nullable=False),
    Column("utility", String, nullable=False),  # without the "utility:" prefix
    Column("utility_account_id", String, nullable=False),
    Column("statement_date", Date, nullable=False),
    Column("created", DateTime, nullable=False),
    Column("gen_utility", String),
    Column("gen_utility_account_id", String),
    Column("source", String),
)

bill_audit = Table(
    "bill_audit",
    platform_metadata,
    _oid(),
    Column(
        "workflow_state",
        Enum("pending", "quarantined", "review", "done", name="bill_audit_workflow_state_enum"),
    ),
    Column(
        "audit_verdict",
        Enum("failed", "warning", "passed", "error", name="bill_audit_verdict_enum"),
    ),
    Column("audit_issues", Json),
    Column("audit_errors", Json),
    Column("bill", BigId, ForeignKey("bill.oid", ondelete="CASCADE"), nullable=False),
    Column("latest_audit", DateTime),
    Column("modified", DateTime),
    Column("account_hex", String),
    Column("account_name", String),
    Column("bill_initial", Date),
    Column("bill_service", BigInteger),
    Column("building_name", String),
    Column("utility", String),
)

bill_audit_event = Table(
    "bill_audit_event",
    platform_metadata,
    _oid(),
    Column("occurred", DateTime),
    Column("source", String),
    Column("description", Text),
    Column("meta", Json),
    Column("audit", BigId, ForeignKey("bill_audit.oid", ondelete="CASCADE")),
)

# ---------------------------------------------------------------- our own tables

QUEUES = ("datafeeds-high", "datafeeds-medium", "datafeeds-low")

datafeeds_feed_config = Table(
    "datafeeds_feed_config",
    own_metadata,
    Column("name", String, primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("sequential", Boolean, server_default=text("false")),
    Column("weekday", Integer),
    Column("utility_account_scope", String, nullable=False),
    Column(
        "queue",
        Enum(*QUEUES, name="datafeeds_queue_enum"),
        server_default="datafeeds-medium",
    ),
    CheckConstraint("weekday >= 0 AND weekday <= 6", name="ck_datafeeds_feed_config_weekday"),
)


datafeeds_run = Table(
    "datafeeds_run",
    own_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("task_id", String(128), nullable=False),
    Column("data_source", BigInteger, nullable=False),  # snapmeter_meter_data_source.oid
    Column("scraper", String(128)),  # unknown until the data source is found
    Column("meter", BigInteger),
    Column("status", String(16), nullable=False),  # one of RUN_STATUSES, checked in run_records
    Column("dry_run", Boolean, nullable=False, server_default=text("false")),
    Column("attempt", Integer, nullable=False, server_default=text("0")),
    Column("executor", String(16), nullable=False),  # one of EXECUTORS
    Column("batch_job_id", String(128)),
    Column("date_start", Date),
    Column("date_end", Date),
    Column("queued_at", DateTime(timezone=True)),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("duration_s", Float),
    Column("counts", Json),
    Column("error_class", String(128)),
    Column("error_message", Text),
    Column("log_location", Text),
    Column("dry_run_diff", Json),
    # What the run set aside and why: dropped statements, failed documents.
    Column("details", Json),
    Index("ix_datafeeds_run_data_source_started_at", "data_source", "started_at"),
    Index("ix_datafeeds_run_scraper_status", "scraper", "status"),
    Index("ix_datafeeds_run_status", "status"),
)

OWN_TABLES = frozenset(own_metadata.tables)
PLATFORM_TABLES = frozenset(platform_metadata.tables)
