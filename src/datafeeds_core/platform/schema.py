"""Platform tables with production's names and columns, and our own tables.

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
    PrimaryKeyConstraint,
    Sequence,
    String,
    Table,
    Text,
    event,
    func,
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
Name = String(128)  # production's character varying(128) columns

# The application generates meter oids from this sequence's node number (platform/oids.py).
OID_ADAPTER_SEQUENCE = Sequence("webapps_platform_oid_adapter_seq", metadata=platform_metadata)

# Type names, nullability, defaults, keys and indexes are production's (its schema dump);
# tests/platform/test_production_schema.py diffs them, docs/cut-over.md lists the deliberate
# differences.
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
    """`oid` bigint primary key with a default from a sequence the column owns."""
    return Column("oid", BigId, primary_key=True, autoincrement=True)


def _app_oid() -> Column[int]:
    """`oid` bigint primary key without a default: the application chooses it."""
    return Column("oid", BigId, primary_key=True, autoincrement=False)


# ---------------------------------------------------------------- account / meter / service

snapmeter_account = Table(
    "snapmeter_account",
    platform_metadata,
    _oid(),
    Column("hex_id", String),
    Column(
        "account_type",
        Enum("free", "demo", "trial", "paid", name="account_type_enum"),
        nullable=False,
    ),
    Column("created", DateTime, nullable=False),
    Column("domain", String, nullable=False),
    Column("name", String, nullable=False),
    Column(
        "status",
        Enum("setup", "new customer", "active", "retired", name="account_status_enum"),
        nullable=False,
    ),
    Column("token_login", Boolean, nullable=False),
    Index("idx_account_hex", "hex_id"),
    Index("idx_account_name", "name"),
)

meter = Table(
    "meter",
    platform_metadata,
    _app_oid(),  # no default: the application makes meter oids (oids.py)
    Column("billing", Name),
    Column("building", BigInteger),
    Column("commodity", Name),
    Column("interval", Integer),
    Column("kind", Name),
    Column("name", Name),
    Column("number", Name),
    Column("parent", BigInteger),
    Column("point", Name),
    Column("service", BigInteger),  # → utility_service.oid, not enforced
    Column("system", BigInteger),
    Column(
        "direction",
        Enum("forward", "reverse", name="flow_direction_enum"),
        server_default="forward",
    ),
    CheckConstraint("direction IS NOT NULL", name="valid_meter_direction"),
    Index(
        "idx_meter_uncommon_direction",
        "direction",
        postgresql_where=text("direction <> 'forward'::flow_direction_enum"),
        sqlite_where=text("direction <> 'forward'"),
    ),
    Index("meter_point", "point"),
    Index("meter_service", "service"),
)

snapmeter_account_meter = Table(
    "snapmeter_account_meter",
    platform_metadata,
    Column(
        "account",
        BigInteger,
        ForeignKey("snapmeter_account.oid", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("meter", BigInteger, nullable=False),
    Column("estimated_changes", JsonB),
    Column("created", DateTime),
    _oid(),
    Column("snapmeter_delivery", Boolean, nullable=False, server_default=text("true")),
    Index("idx_account_meter_uniq", "account", "meter", unique=True),
    Index("snapmeter_account_meter_meter_idx", "meter"),
)

utility_service = Table(
    "utility_service",
    platform_metadata,
    _oid(),
    Column("account", BigInteger),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("group", Name),
    Column("options", Json),
    Column("service_id", Name),
    Column("tariff", Name),
    Column("utility", Name),
    Column("gen_service_id", Name),
    Column("gen_tariff", Name),
    Column("gen_utility", Name),
    Column("gen_utility_account_id", String),
    Column("gen_options", Json),
    Column("utility_account_id", String),
    Column("provider_type", PROVIDER_TYPE, nullable=False, server_default="utility-bundled"),
    Index("idx_utility_service_tariff_utility", "tariff", "utility"),
    Index("utility_service_gen_service_id_idx", "gen_service_id"),
    Index("utility_service_gen_tariff_utility_idx", "gen_tariff", "gen_utility"),
    Index("utility_service_service_id", "service_id"),
)
event.listen(
    utility_service,
    "after_create",
    DDL("ALTER SEQUENCE utility_service_oid_seq INCREMENT BY 10").execute_if(dialect="postgresql"),
)

# The fields a snapshot copies from its service (service, generation, provider type).
SNAPSHOT_FIELDS = (
    "provider_type",
    "service_id",
    "utility_account_id",
    "tariff",
    "utility",
    "gen_service_id",
    "gen_utility_account_id",
    "gen_tariff",
    "gen_utility",
)

utility_service_snapshot = Table(
    "utility_service_snapshot",
    platform_metadata,
    _oid(),
    Column(
        "service",
        BigInteger,
        ForeignKey(
            "utility_service.oid",
            ondelete="CASCADE",
            name="utility_service_snapshot_utility_service_fkey",
        ),
        nullable=False,
    ),
    Column("provider_type", PROVIDER_TYPE),
    Column("service_id", Name),
    Column("utility_account_id", String),
    Column("tariff", Name),
    Column("utility", Name),
    Column("gen_service_id", Name),
    Column("gen_utility_account_id", String),
    Column("gen_tariff", Name),
    Column("gen_utility", Name),
    Column("system_created", DateTime, nullable=False),
    Column("system_modified", DateTime, nullable=False),
    Column("service_modified", DateTime, nullable=False),
    Index(
        "utility_service_snapshot_service_service_modified_uniq_idx",
        "service",
        "service_modified",
        unique=True,
    ),
)

building = Table(
    "building",
    platform_metadata,
    _app_oid(),
    Column("cardinal", BigInteger),
    Column("details", Json),
    Column("forecast", BigInteger),
    Column("secondary", BigInteger),
    Column("source", Name),
    Column("backup", Name),
    # No `coordinates` geometry(Point,4326): it needs PostGIS (docs/cut-over.md).
    Column("square_footage", BigInteger),
    Column("timezone", Name),  # missing → America/Los_Angeles
    Column("street1", Name),
    Column("street2", Name),
    Column("city", Name),
    Column("state", String(2)),
    Column("zip", String(10)),
    Column("country", String, server_default="US"),
    Column("pm_property_id", Integer),
)

# A building as one account sees it; `name` is what bill audits show.
snapmeter_building = Table(
    "snapmeter_building",
    platform_metadata,
    Column(
        "building",
        BigInteger,
        ForeignKey("building.oid", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column(
        "account",
        BigInteger,
        ForeignKey("snapmeter_account.oid", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("name", String, nullable=False),
    Column("energy_star", Integer),
    Column("visible", Boolean, nullable=False, server_default=text("false")),
    Column("oid", BigInteger, nullable=False),  # PostgreSQL: from an owned sequence (below)
)
event.listen(
    snapmeter_building,
    "after_create",
    DDL(
        "CREATE SEQUENCE snapmeter_building_oid_seq OWNED BY snapmeter_building.oid; "
        "ALTER TABLE snapmeter_building ALTER COLUMN oid "
        "SET DEFAULT nextval('snapmeter_building_oid_seq'::regclass)"
    ).execute_if(dialect="postgresql"),
)

product_enrollment = Table(
    "product_enrollment",
    platform_metadata,
    _oid(),
    Column("meter", BigInteger),
    Column("product", Name),  # opsbillaudit, hodor, …
    Column("status", Name),  # active, trial, notEnrolled
    Index("idx_product_enrollment_product", "product"),
    Index("product_enrollment_meter_product", "meter", "product"),
)

# ---------------------------------------------------------------- scraper configuration

snapmeter_account_data_source = Table(
    "snapmeter_account_data_source",
    platform_metadata,
    _oid(),
    Column("hex_id", String),
    Column(
        "account",
        BigInteger,
        ForeignKey("snapmeter_account.oid", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("source_account_type", String, nullable=False),
    Column("name", String, nullable=False),
    Column("username_bytes", LargeBinary),
    Column("password_bytes", LargeBinary),
    Column("enabled", Boolean, nullable=False),
    Index("idx_account_ds_account", "account"),
    Index("idx_account_ds_hex", "hex_id"),
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
        BigInteger,
        ForeignKey("snapmeter_account_data_source.oid", ondelete="CASCADE"),
    ),
    Column("meta", JsonB),
    Column("source_types", StringArray),  # {billing}, {interval}, {partial-billing}
    Index("idx_meter_ds_account", "account_data_source"),
    Index("idx_meter_ds_hex", "hex_id"),
    Index("idx_meter_ds_meter", "meter"),
    Index("meter_ds_unique", "account_data_source", "meter", "name", unique=True),
)

# ---------------------------------------------------------------- results

bill = Table(
    "bill",
    platform_metadata,
    Column("oid", BigId, autoincrement=True),
    Column("attachments", Json),  # [{key, kind: "bill", format: "PDF", …}]
    Column("closing", Date),
    Column("cost", Float),
    Column("initial", Date),
    Column("items", Json),  # [{description, quantity, rate, total, kind, unit}]
    Column("manual", Boolean),
    Column("modified", DateTime, server_default=func.now()),
    Column("peak", Float),
    Column("service", BigInteger),  # → utility_service.oid, not enforced
    Column("used", Float),
    Column("notes", String),
    Column("visible", Boolean, nullable=False, server_default=text("true")),
    Column("has_all_charges", Boolean),
    Column("created", DateTime),
    Column("source", String),
    Column("tnd_cost", Float),
    Column("gen_cost", Float),
    Column("has_cost_curve", Boolean),
    Column("utility_code", String),
    Column("gen_utility_code", String),
    PrimaryKeyConstraint("oid", name="bill_v2_pkey"),
    Index("bill_service_closing_initial_2", "service", "closing", "initial", "cost", "used"),
    Index("bill_service_initial_closing_2", "service", "initial", "closing"),
    Index("idx_bill_modified", "modified"),
)

# No `source` column, unlike `bill`: production has none.
partial_bill = Table(
    "partial_bill",
    platform_metadata,
    _oid(),
    Column(
        "service",
        BigInteger,
        ForeignKey(
            "utility_service.oid", ondelete="CASCADE", name="partial_bill_utility_service_fkey"
        ),
        nullable=False,
    ),
    Column("attachments", Json),
    Column("closing", Date),
    Column("cost", Float),
    Column("initial", Date),
    Column("items", Json),
    Column("manual", Boolean),
    Column("modified", DateTime),
    Column("peak", Float),
    Column("used", Float),
    Column("notes", String),
    Column("visible", Boolean, nullable=False, server_default=text("true")),
    Column("created", DateTime),
    Column("provider_type", PARTIAL_PROVIDER_TYPE),
    Column("superseded_by", BigInteger, ForeignKey("partial_bill.oid")),
    Column("service_id", Name),
    Column("utility", Name),
    Column("utility_account_id", String),
    Column("utility_code", String),
    Column("tariff", String),
    Column("third_party_expected", Boolean),
    Index("partial_bill_service_initial_closing_idx", "service", "initial", "closing"),
)

partial_bill_link = Table(
    "partial_bill_link",
    platform_metadata,
    _oid(),
    Column(
        "partial_bill",
        BigInteger,
        ForeignKey("partial_bill.oid", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("bill", BigInteger, ForeignKey("bill.oid", ondelete="CASCADE"), nullable=False),
    Column("created", DateTime),
    Index("idx_partial_bill_link_uniq", "bill", "partial_bill", unique=True),
    Index("partial_bill_link_bill_idx", "bill"),
    Index("partial_bill_link_partial_bill_idx", "partial_bill"),
)

bill_document = Table(
    "bill_document",
    platform_metadata,
    _oid(),
    Column("s3_key", String, nullable=False),
    Column("doc_format", String, nullable=False),
    Column("utility", String, nullable=False),  # without the "utility:" prefix
    Column("utility_account_id", String, nullable=False),
    Column("gen_utility", String),
    Column("gen_utility_account_id", String),
    Column("statement_date", Date, nullable=False),
    Column("source", String),
    Column("created", DateTime, nullable=False),
    Index("idx_s3_key", "s3_key", unique=True),
    Index("idx_utility_account", "utility_account_id"),
)

bill_audit = Table(
    "bill_audit",
    platform_metadata,
    _oid(),
    Column(
        "workflow_state",
        Enum("pending", "quarantined", "review", "done", name="workflow_state_enum"),
        nullable=False,
    ),
    Column(
        "audit_verdict",
        Enum("failed", "warning", "passed", "error", name="audit_verdict_enum"),
    ),
    Column("audit_issues", Json),
    Column("audit_errors", Json),
    Column(
        "bill",
        BigInteger,
        ForeignKey("bill.oid", ondelete="CASCADE", name="bill_audit_bill_fk"),
        nullable=False,
    ),
    Column("latest_audit", DateTime),
    Column("modified", DateTime),
    Column("account_hex", String),
    Column("account_name", String),
    Column("bill_initial", Date),
    Column("bill_service", BigInteger),
    Column("building_name", String),
    Column("utility", String),
)
Index(
    "bill_audit_account_name_bill_initial_idx",
    bill_audit.c.account_name,
    bill_audit.c.bill_initial.desc(),
)

bill_audit_event = Table(
    "bill_audit_event",
    platform_metadata,
    _oid(),
    Column("occurred", DateTime, nullable=False),
    Column("source", String, nullable=False),
    Column("description", String),
    Column("meta", Json),
    Column("audit", BigInteger, nullable=False),  # → bill_audit.oid, not enforced
)

# ---------------------------------------------------------------- our own tables

QUEUES = ("datafeeds-high", "datafeeds-medium", "datafeeds-low")

# Production has this table already (webapps created it); on an empty database the migrations
# create it in the same shape.
datafeeds_feed_config = Table(
    "datafeeds_feed_config",
    own_metadata,
    Column("name", String, primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("sequential", Boolean, nullable=False, server_default=text("false")),
    Column("weekday", Integer),
    Column("utility_account_scope", Boolean, nullable=False),
    Column(
        "queue",
        Enum(*QUEUES, name="datafeeds_feed_config_queue_enum"),
        nullable=False,
        server_default="datafeeds-medium",
    ),
    CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekdays"),
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
    # The run dashboard's (migration 0002).
    Index("ix_datafeeds_run_scraper_status_finished_at", "scraper", "status", "finished_at"),
    Index("ix_datafeeds_run_queued_at_scraper_status", "queued_at", "scraper", "status", "dry_run"),
)

OWN_TABLES = frozenset(own_metadata.tables)
PLATFORM_TABLES = frozenset(platform_metadata.tables)
