"""Every bill write: validated periods to the meter's utility service, and documents attached
to bills already written.

Periods (already checked and windowed: `ValidatedPeriods`) are written to `target.service_oid`,
and to the other services with the same SAID and the same utility that a meter points at
(fan-out; never across utilities), in one transaction holding every service's lock. Each
incoming bill is decided against its service's existing bills (docs/cut-over.md lists the
differences from the old system):

- exact dates → "unchanged" when the incoming values are already there, else "updated";
- otherwise overlapped bills (inclusive dates) are "replaced": deleted, the new bill inserted;
- manual bills and bills linked to visible, active partial bills are never overwritten
  ("skipped");
- no overwrite that loses use (cost without use over a bill with use) or peak ("skipped");
- nothing matched → "new".

Deciding is a pure function of the existing rows (`bill_plan.plan_bills`); this module reads
the rows, holds the lock and applies the decisions. A dry run decides the same way and writes
nothing. Generation-only scrapers write `partial_bill` rows instead, superseding older versions
rather than deleting them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, or_, select, update

from datafeeds_core.platform import replace_guard
from datafeeds_core.platform.bill_plan import (
    BillDecision,
    ExistingBill,
    IncomingBill,
    PartialProviderType,
    Plan,
    WriteReport,
    hidden_by_audit,
    partial_matches,
    plan_bills,
    snap_first_start,
    to_bill,
    to_partial_bill,
)
from datafeeds_core.platform.failures import platform_errors
from datafeeds_core.platform.locking import locked_transaction
from datafeeds_core.platform.schema import (
    bill,
    bill_audit,
    bill_audit_event,
    meter,
    partial_bill,
    partial_bill_link,
    product_enrollment,
    snapmeter_account,
    snapmeter_account_meter,
    snapmeter_building,
    utility_service,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine, RowMapping

    from datafeeds_core.platform.datasources import JobTarget
    from datafeeds_core.urjanet.model import BillingPeriod, ValidatedPeriods

__all__ = [
    "BillDecision",
    "ServiceBill",
    "WriteReport",
    "attach_documents",
    "service_bills",
    "write_bills",
    "write_partial_bills",
]

Attachments = Mapping["BillingPeriod", Sequence[Mapping[str, Any]]]

SOURCE = "datafeeds"
AUDIT_PRODUCT = "opsbillaudit"
AUDIT_EVENT = "Initialized bill audit."


# ---------------------------------------------------------------- database


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # platform timestamps are naive UTC


def _json_list(values: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]] | None:
    return [dict(v) for v in values] if values else None


@contextmanager
def _service_transaction(
    engine: Engine, service_oid: int, dry_run: bool, *more_services: int
) -> Iterator[Connection]:
    with (
        platform_errors(),
        locked_transaction(engine, service_oid, *more_services) as conn,
    ):
        yield conn
        if dry_run:
            conn.rollback()


def fan_out_services(conn: Connection, target: JobTarget) -> list[int]:
    """The other services that get this meter's bills: same SAID and same utility (never across
    utilities), and a meter points at them. None when the meter's service has no SAID or no
    utility."""
    if not target.service_id or not target.utility:
        return []
    us = utility_service
    found = conn.execute(
        select(us.c.oid)
        .where(
            us.c.service_id == target.service_id,
            us.c.utility == target.utility,
            us.c.oid != target.service_oid,
            select(meter.c.oid).where(meter.c.service == us.c.oid).exists(),
        )
        .order_by(us.c.oid)
    ).scalars()
    return [int(oid) for oid in found]


def write_bills(
    engine: Engine,
    target: JobTarget,
    periods: ValidatedPeriods,
    *,
    dry_run: bool = False,
    attachments: Attachments | None = None,
    allow_mass_replace: bool = False,
    in_transaction: Callable[[Connection], None] | None = None,
) -> WriteReport:
    """Write the periods as `bill` rows of the meter's own service and of the services it fans
    out to (`fan_out_services`), in one transaction holding every
    service's lock. Each service is decided on its own bills, its own audit enrolment.

    A plan over the replacement bound is refused (`replace_guard`) unless `allow_mass_replace`,
    and the transaction rolls back whole; `in_transaction` writes more rows (bill_document) in
    the bills' own transaction."""
    docs = attachments or {}
    bills = [to_bill(p, docs.get(p, ())) for p in periods.periods]
    with platform_errors(), engine.connect() as conn:
        others = fan_out_services(conn, target)
    with _service_transaction(engine, target.service_oid, dry_run, *others) as conn:
        own, *fanned = [
            _write_service(conn, service, bills, dry_run, allow_mass_replace)
            for service in (target.service_oid, *others)
        ]
        if in_transaction is not None and not dry_run:
            in_transaction(conn)
    return replace(own, fanned_out=tuple(fanned))


def _write_service(
    conn: Connection,
    service: int,
    bills: list[IncomingBill],
    dry_run: bool,
    allow_mass_replace: bool,
) -> WriteReport:
    existing = _existing_bills(conn, service)
    snapped = snap_first_start(bills, {e.closing for e in existing})
    audit_meter = _audit_meter(conn, service)
    plans = plan_bills(snapped, existing, audit=audit_meter is not None)
    if not dry_run:
        replace_guard.check((p.decision for p in plans), allowed=allow_mass_replace)
    decisions = (
        tuple(p.decision for p in plans)
        if dry_run
        else _apply_bills(conn, service, plans, audit_meter)
    )
    return WriteReport(service_oid=service, dry_run=dry_run, decisions=decisions)


def _existing_bills(conn: Connection, service: int) -> list[ExistingBill]:
    stitched = set(
        conn.execute(
            select(partial_bill_link.c.bill)
            .join(partial_bill, partial_bill.c.oid == partial_bill_link.c.partial_bill)
            .join(bill, bill.c.oid == partial_bill_link.c.bill)
            .where(
                bill.c.service == service,
                partial_bill.c.superseded_by.is_(None),
                partial_bill.c.visible.is_(True),
            )
        ).scalars()
    )
    audited = set(
        conn.execute(
            select(bill_audit.c.bill)
            .join(bill, bill.c.oid == bill_audit.c.bill)
            .where(bill.c.service == service)
        ).scalars()
    )
    rows = conn.execute(
        select(bill).where(bill.c.service == service).order_by(bill.c.initial, bill.c.oid)
    ).mappings()
    return [
        _existing(row, stitched=row["oid"] in stitched, audited=row["oid"] in audited)
        for row in rows
    ]


def _existing(row: RowMapping, **flags: Any) -> ExistingBill:
    """An existing `bill` or `partial_bill` row as the planner sees it; `flags` are the fields
    only one of the two tables gives."""
    return ExistingBill(
        oid=row["oid"],
        initial=row["initial"],
        closing=row["closing"],
        cost=row["cost"],
        used=row["used"],
        peak=row["peak"],
        items=row["items"],
        attachments=row["attachments"],
        utility_code=row["utility_code"],
        manual=bool(row["manual"]),
        **flags,
    )


@dataclass(frozen=True)
class AuditMeter:
    """The meter whose bill-audit enrolment decides for the service, with the names the audit
    rows carry."""

    oid: int
    utility: str | None
    account_hex: str | None
    account_name: str | None
    building_name: str | None


def _audit_meter(conn: Connection, service: int) -> AuditMeter | None:
    """The first non-`sub` meter on the service, when it is enrolled in bill audit."""
    first = conn.execute(
        select(meter.c.oid, meter.c.building)
        .where(meter.c.service == service, or_(meter.c.kind.is_(None), meter.c.kind != "sub"))
        .order_by(meter.c.oid)
        .limit(1)
    ).first()
    if first is None:
        return None
    enrolled = conn.execute(
        select(product_enrollment.c.oid).where(
            product_enrollment.c.meter == first.oid,
            product_enrollment.c.product == AUDIT_PRODUCT,
            product_enrollment.c.status == "active",
        )
    ).first()
    if enrolled is None:
        return None
    utility = conn.execute(
        select(utility_service.c.utility).where(utility_service.c.oid == service)
    ).scalar()
    account = conn.execute(
        select(snapmeter_account.c.oid, snapmeter_account.c.hex_id, snapmeter_account.c.name)
        .join(snapmeter_account_meter, snapmeter_account_meter.c.account == snapmeter_account.c.oid)
        .where(snapmeter_account_meter.c.meter == first.oid)
        .order_by(snapmeter_account_meter.c.oid)
        .limit(1)
    ).first()
    return AuditMeter(
        oid=int(first.oid),
        utility=utility,
        account_hex=account.hex_id if account else None,
        account_name=account.name if account else None,
        building_name=_building_name(conn, first.building, account.oid if account else None),
    )


def _building_name(conn: Connection, building: int | None, account: int | None) -> str | None:
    """The meter's building as its account names it (`snapmeter_building`, the old system's
    `Building`); any account's name for it when the meter's account has none."""
    if building is None:
        return None
    sb = snapmeter_building
    if account is not None:
        own = conn.execute(
            select(sb.c.name).where(sb.c.building == building, sb.c.account == account)
        ).scalar()
        if own is not None:
            return str(own)
    other = conn.execute(
        select(sb.c.name).where(sb.c.building == building).order_by(sb.c.account).limit(1)
    ).scalar()
    return None if other is None else str(other)


def _bill_row(service: int, b: IncomingBill, visible: bool) -> dict[str, Any]:
    now = _now()
    return {
        "service": service,
        "initial": b.initial,
        "closing": b.closing,
        "cost": b.cost,
        "used": b.used,
        "peak": b.peak,
        "items": _json_list(b.items),
        "attachments": _json_list(b.attachments),
        "manual": False,
        "created": now,
        "modified": now,
        "visible": visible,
        "source": SOURCE,
        "utility_code": b.utility_code,
    }


def _insert_bills(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` into `bill` in one statement; their oids, in the order of `rows`."""
    if not rows:
        return []
    # One multi-row INSERT … RETURNING (SQLAlchemy's insertmanyvalues) instead of a round trip
    # per bill: 120 separate inserts were ~0.16 s of a job (docs/performance.md, item 2).
    # sort_by_parameter_order: the oids come back in the order of the rows on every backend.
    result = conn.execute(insert(bill).returning(bill.c.oid, sort_by_parameter_order=True), rows)
    return [int(oid) for oid in result.scalars().all()]


def _apply_bills(
    conn: Connection, service: int, plans: Sequence[Plan], audit_meter: AuditMeter | None
) -> tuple[BillDecision, ...]:
    """Apply every plan: updates and deletions first, in plan order, then the new bills in one
    insert, then the audits of audited bills, in plan order."""
    decisions: list[BillDecision] = []
    new: list[int] = []  # indexes of the plans that insert a bill
    for i, plan in enumerate(plans):
        decision, b = plan.decision, plan.incoming
        if decision.operation in ("skipped", "unchanged"):
            decisions.append(decision)
            continue
        if decision.operation == "updated":
            assert decision.existing_oid is not None
            oid = decision.existing_oid
            values: dict[str, Any] = {
                "cost": b.cost,
                "used": b.used,
                "peak": b.peak,
                "utility_code": b.utility_code,
                "manual": False,
                "source": SOURCE,
                "modified": _now(),
            }
            if b.items:
                values["items"] = _json_list(b.items)
            if b.attachments:
                values["attachments"] = _json_list(b.attachments)
            conn.execute(update(bill).where(bill.c.oid == oid).values(**values))
            decisions.append(replace(decision, bill_oid=oid))
        else:
            if decision.replaced_oids:
                conn.execute(delete(bill).where(bill.c.oid.in_(decision.replaced_oids)))
            new.append(i)
            decisions.append(decision)
    rows = [
        _bill_row(service, plans[i].incoming, not hidden_by_audit(plans[i].decision)) for i in new
    ]
    for i, oid in zip(new, _insert_bills(conn, rows), strict=True):
        decisions[i] = replace(decisions[i], bill_oid=oid)
    if audit_meter is not None:
        for plan, decision in zip(plans, decisions, strict=True):
            written = decision.operation not in ("skipped", "unchanged")
            if written and decision.audit and decision.bill_oid is not None:
                _start_audit(conn, decision.bill_oid, service, plan.incoming, audit_meter)
    return tuple(decisions)


def _start_audit(
    conn: Connection, bill_oid: int, service: int, b: IncomingBill, who: AuditMeter
) -> None:
    now = _now()
    audit_oid = conn.execute(
        insert(bill_audit)
        .values(
            workflow_state="pending",
            bill=bill_oid,
            modified=now,
            account_hex=who.account_hex,
            account_name=who.account_name,
            bill_initial=b.initial,
            bill_service=service,
            building_name=who.building_name,
            utility=who.utility,
        )
        .returning(bill_audit.c.oid)
    ).scalar_one()
    conn.execute(
        insert(bill_audit_event).values(
            occurred=now, source=SOURCE, description=AUDIT_EVENT, meta=None, audit=audit_oid
        )
    )


# ---------------------------------------------------------------- partial bills


def write_partial_bills(
    engine: Engine,
    target: JobTarget,
    periods: ValidatedPeriods,
    *,
    dry_run: bool = False,
    provider_type: PartialProviderType = "generation-only",
    attachments: Attachments | None = None,
    allow_mass_replace: bool = False,
    in_transaction: Callable[[Connection], None] | None = None,
) -> WriteReport:
    """Write the periods as `partial_bill` rows.

    A changed or overlapped partial bill is superseded (a new row, the old one pointing at it),
    never deleted; manual ones are left alone; partial_bill_link is not touched.
    """
    docs = attachments or {}
    bills = [to_partial_bill(p, target, provider_type, docs.get(p, ())) for p in periods.periods]
    service = target.service_oid
    with _service_transaction(engine, service, dry_run) as conn:
        existing = _existing_partial_bills(conn, service, provider_type)
        bills = snap_first_start(bills, {e.closing for e in existing})
        plans = plan_bills(bills, existing, matches=partial_matches)
        if not dry_run:
            replace_guard.check((p.decision for p in plans), allowed=allow_mass_replace)
        decisions = tuple(
            p.decision if dry_run else _apply_partial(conn, service, provider_type, p)
            for p in plans
        )
        if in_transaction is not None and not dry_run:
            in_transaction(conn)
    return WriteReport(
        service_oid=service, dry_run=dry_run, decisions=decisions, table="partial_bill"
    )


def _existing_partial_bills(
    conn: Connection, service: int, provider_type: str
) -> list[ExistingBill]:
    """The "haves": visible, not superseded, same provider type."""
    rows = conn.execute(
        select(partial_bill)
        .where(
            partial_bill.c.service == service,
            partial_bill.c.provider_type == provider_type,
            partial_bill.c.superseded_by.is_(None),
            or_(partial_bill.c.visible.is_(None), partial_bill.c.visible.is_(True)),
        )
        .order_by(partial_bill.c.initial, partial_bill.c.oid)
    ).mappings()
    return [
        _existing(
            row,
            third_party_expected=row["third_party_expected"],
            service_id=row["service_id"],
            utility=row["utility"],
            utility_account_id=row["utility_account_id"],
        )
        for row in rows
    ]


def _apply_partial(conn: Connection, service: int, provider_type: str, plan: Plan) -> BillDecision:
    decision, b = plan.decision, plan.incoming
    if decision.operation in ("skipped", "unchanged"):
        return decision
    now = _now()
    oid = conn.execute(
        insert(partial_bill)
        .values(
            service=service,
            initial=b.initial,
            closing=b.closing,
            cost=b.cost,
            used=b.used,
            peak=b.peak,
            items=_json_list(b.items),
            attachments=_json_list(b.attachments),
            manual=False,
            created=now,
            modified=now,
            visible=True,
            utility_code=b.utility_code,
            tariff=b.tariff,
            provider_type=provider_type,
            service_id=b.service_id,
            utility=b.utility,
            utility_account_id=b.utility_account_id,
        )
        .returning(partial_bill.c.oid)
    ).scalar_one()
    old = decision.replaced_oids or ((decision.existing_oid,) if decision.existing_oid else ())
    if old:
        conn.execute(
            update(partial_bill)
            .where(partial_bill.c.oid.in_(old))
            .values(superseded_by=oid, modified=now)
        )
    return replace(decision, bill_oid=int(oid), replaced_oids=tuple(old))


# ---------------------------------------------------------------- documents of written bills


@dataclass(frozen=True)
class ServiceBill:
    """A bill already on a service, as attaching documents needs it."""

    oid: int
    closing: date
    attachments: tuple[dict[str, Any], ...]


def _bill_table(partial: bool) -> Any:
    return partial_bill if partial else bill


def service_bills(engine: Engine, service_oid: int, *, partial: bool) -> list[ServiceBill]:
    """The service's bills (its current `partial_bill` rows when `partial`)."""
    table = _bill_table(partial)
    query = select(table.c.oid, table.c.closing, table.c.attachments).where(
        table.c.service == service_oid
    )
    if partial:
        query = query.where(table.c.superseded_by.is_(None))
    with platform_errors(), engine.connect() as conn:
        rows = conn.execute(query).all()
    return [ServiceBill(int(r.oid), r.closing, tuple(r.attachments or ())) for r in rows]


def attach_documents(
    engine: Engine,
    service_oid: int,
    attachments: Mapping[int, Sequence[Mapping[str, Any]]],
    *,
    partial: bool,
    in_transaction: Callable[[Connection], None] | None = None,
) -> None:
    """Set each bill's `attachments` (bill oid → entries) in one transaction holding the
    service's lock; `in_transaction` writes more rows (bill_document) in that transaction."""
    table = _bill_table(partial)
    with _service_transaction(engine, service_oid, False) as conn:
        if in_transaction is not None:
            in_transaction(conn)
        for oid, entries in attachments.items():
            conn.execute(
                update(table)
                .where(table.c.oid == oid)
                .values(attachments=[dict(e) for e in entries])
            )
