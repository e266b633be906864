"""`datafeeds worker`: the container entrypoint (the image runs `datafeeds worker` by default)."""

from __future__ import annotations

import typer

from datafeeds_core.cli.common import errors_as_exit, oid_number, parse_date


def worker(
    oid: int | None = typer.Option(
        None, "--oid", metavar="N", parser=oid_number, help="The meter data source oid."
    ),
    run_id: int | None = typer.Option(
        None, "--run-id", min=1, help="The run record queued for this job (else a new one)."
    ),
    start: str | None = typer.Option(
        None, "--start", metavar="YYYY-MM-DD", help="First day (inclusive)."
    ),
    end: str | None = typer.Option(
        None, "--end", metavar="YYYY-MM-DD", help="Last day (exclusive)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write nothing (a recorded dry run)."),
    manifest_url: str | None = typer.Option(
        None,
        "--manifest",
        metavar="URL",
        help="s3://… or file://… array manifest; AWS_BATCH_JOB_ARRAY_INDEX picks the entry.",
    ),
) -> None:
    """The container entrypoint: run one job as a Batch worker.

    The oid comes from --oid, or from the array manifest entry at AWS_BATCH_JOB_ARRAY_INDEX.
    Logs JSON lines carrying the run id.

    Exit codes: 0 succeeded or no new data; 1 failed; 2 usage; 3 configuration; 4 plugin broken;
    75 transient (Batch retries it).
    """
    from datafeeds_core.services.worker import work

    with errors_as_exit():
        code = work(
            oid=oid,
            run_id=run_id,
            start=parse_date(start, "--start"),
            end=parse_date(end, "--end"),
            dry_run=dry_run,
            manifest_url=manifest_url,
        )
    raise typer.Exit(code)
