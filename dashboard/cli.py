"""The ``odsk`` command line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC
from pathlib import Path

import click

from dashboard.catalogue import CatalogueError, load_catalogue
from dashboard.redaction import install_log_redaction
from dashboard.runtime import prepared_runtime, print_issues
from dashboard.settings import get_settings


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Each run and each job start is logged by us already; the libraries' chatter hides it.
    for noisy in ("alembic", "apscheduler.executors", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_log_redaction()  # keys in URLs and tokens never reach a log line


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
def main(verbose: bool) -> None:
    """Command Centre ODSK — North Sulawesi."""
    _setup_logging(verbose)


def _register_subcommands() -> None:
    from dashboard.access.cli import apikey, user

    main.add_command(user)
    main.add_command(apikey)


_register_subcommands()


@main.command("check-config")
@click.option("--config-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True)
def check_config(config_dir: Path | None, as_json: bool) -> None:
    """Validate the catalogue, cross-references included."""
    from dashboard.retention import load_policy
    from dashboard.views.wall_screens import load_wall_config

    directory = config_dir or get_settings().config_dir
    try:
        catalogue = load_catalogue(directory)
        load_wall_config(directory, catalogue)
        load_policy(directory)
    except CatalogueError as exc:
        if as_json:
            click.echo(json.dumps({"ok": False, "errors": [vars(i) for i in exc.issues]}, indent=2))
        else:
            print_issues(exc)
        sys.exit(1)
    counts = {
        "domains": len(catalogue.domains),
        "regions": len(catalogue.regions),
        "skpd": len(catalogue.skpd),
        "indicators": len(catalogue.indicators),
        "sources": len(catalogue.sources),
    }
    if as_json:
        click.echo(json.dumps({"ok": True, **counts}))
    else:
        click.echo("catalogue OK: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@main.group()
def db() -> None:
    """Store administration."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply Alembic migrations to the configured store."""
    from dashboard.store.migrate import upgrade

    url = get_settings().resolved_database_url
    upgrade(url)
    click.echo(f"store at head: {_safe_url(url)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command()
@click.argument("source")
@click.option(
    "--backfill", is_flag=True, help="Fetch the source's history again, ignoring its bookmark."
)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
def collect(source: str, backfill: bool, as_json: bool) -> None:
    """Run one source once and print its run summary."""
    from dashboard.ingest import collect as run

    rt = prepared_runtime()
    if source not in {s.id for s in rt.catalogue.sources}:
        raise click.UsageError(f"unknown source '{source}'")
    if not rt.catalogue.source(source).schedule.fetched:
        _collect_delivered(rt, source, as_json)
        return
    summary = run(rt, source, trigger="manual", backfill=backfill)
    _print_summary(summary, as_json)
    sys.exit(1 if summary.status == "failed" else 0)


def _collect_delivered(rt, source: str, as_json: bool) -> None:
    """A source whose files are delivered: read what waits for it in the drop folder's inbox."""
    from dashboard.filedrop import INBOX, expected_name, scan

    receipts = scan(rt, only_source=source)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in receipts], ensure_ascii=False, indent=2))
    elif not receipts:
        inbox = rt.settings.resolved_drop_dir / INBOX
        kind = rt.catalogue.source(source).kind
        click.echo(
            f"no file waiting for {source} in {inbox} (expected: {expected_name(source, kind)})"
        )
    for receipt in receipts if not as_json else ():
        click.echo(receipt.text().rstrip())
        click.echo(f"  -> {receipt.stored_as}")
    sys.exit(1 if any(r.status in ("failed", "refused") for r in receipts) else 0)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="The source whose parser and mapping to use.")
@click.option("--json", "as_json", is_flag=True)
def ingest(file: Path, source: str, as_json: bool) -> None:
    """Run a file through a source's parser exactly as a scheduled run would."""
    from collectors.base import Payload
    from dashboard.ingest import collect as run

    rt = prepared_runtime()
    if source not in {s.id for s in rt.catalogue.sources}:
        raise click.UsageError(f"unknown source '{source}'")
    content = file.read_bytes()
    summary = run(
        rt,
        source,
        trigger="upload",
        payload=Payload(content, _content_type(file), {"file": file.name}),
        file_name=file.name,
    )
    _print_summary(summary, as_json)
    sys.exit(1 if summary.status == "failed" else 0)


def _content_type(file: Path) -> str:
    return {
        ".json": "application/json",
        ".csv": "text/csv",
        ".xml": "application/xml",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }.get(file.suffix.lower(), "application/octet-stream")


@main.command()
@click.argument("run_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def replay(run_id: int, as_json: bool) -> None:
    """Parse a run's archived payload again with today's parser and config."""
    from dashboard.ingest import replay as do_replay

    rt = prepared_runtime()
    try:
        summary = do_replay(rt, run_id)
    except LookupError as exc:
        raise click.UsageError(str(exc)) from None
    _print_summary(summary, as_json)
    sys.exit(1 if summary.status == "failed" else 0)


@main.command()
@click.option(
    "--replace", is_flag=True, help="Make this week's brief again even if it is archived."
)
@click.option("--json", "as_json", is_flag=True)
def brief(replace: bool, as_json: bool) -> None:
    """Make this week's exceptions brief (PDF and Excel, id and en) into the archive, as the
    Monday job does; without --replace an archived week is left as it is (exit 0)."""
    from datetime import datetime

    from dashboard.brief.archive import archive_dir, produce_brief, week_of

    rt = prepared_runtime()
    now = datetime.now(UTC)
    manifest = produce_brief(
        rt.engine, rt.catalogue, rt.catalogue.plans, rt.settings.data_dir, now, replace=replace
    )
    folder = archive_dir(rt.settings.data_dir)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "week": week_of(now),
                    "made": manifest is not None,
                    "folder": str(folder),
                    "files": manifest.files if manifest else {},
                    "counts": manifest.counts if manifest else {},
                },
                indent=2,
            )
        )
    elif manifest is None:
        click.echo(
            f"brief {week_of(now)} is archived already in {folder} (--replace makes it again)"
        )
    else:
        click.echo(f"brief {manifest.week} (as of {manifest.as_of}) made in {folder}:")
        for name in sorted(manifest.files.values()):
            click.echo(f"  {name}")


def _print_summary(summary, as_json: bool) -> None:
    data = summary.as_dict()
    if as_json:
        click.echo(
            json.dumps(
                {
                    k: data[k]
                    for k in (
                        "run_id",
                        "source",
                        "status",
                        "accepted",
                        "rejected",
                        "changed",
                        "events_read",
                        "events",
                        "error_class",
                        "message",
                        "payload_sha256",
                        "duration_seconds",
                        "errors",
                    )
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(
        f"run {summary.run_id} ({summary.source}): {summary.status} — "
        f"{summary.accepted} accepted, {summary.rejected} rejected, {summary.changed} changed"
        + (
            f", {summary.events_read} events read ({summary.events} new or changed)"
            if summary.events_read
            else ""
        )
    )
    if summary.message:
        click.echo(f"  {summary.error_class or ''} {summary.message}".rstrip())
    for err in summary.errors:
        click.echo(f"  row {err['row']}, {err['column']!s}: {err['value']!r}: {err['reason']}")


MIGRATE_OPTION = click.option(
    "--migrate/--no-migrate",
    default=True,
    help="Apply migrations first (the demo has done it once for all processes).",
)


@main.command()
@MIGRATE_OPTION
def scheduler(migrate: bool) -> None:
    """Run the collection scheduler (its own process). On SQLite, one per store."""
    from dashboard.scheduler import AlreadyRunning, claim_sqlite_store, run_forever
    from dashboard.settings import data_dir_problem

    settings = get_settings()
    problem = data_dir_problem(settings)
    if problem is not None:  # it archives every payload there: refuse, in one line
        click.echo(f"odsk scheduler: refusing to start: the data directory {problem}", err=True)
        sys.exit(1)
    try:  # refused before anything else is done: one clear line
        claim = claim_sqlite_store(settings.resolved_database_url)
    except AlreadyRunning as exc:
        click.echo(f"odsk scheduler: {exc}", err=True)
        sys.exit(1)
    run_forever(prepared_runtime(migrate), claim=claim)


@main.command()
@click.option("--dry-run", is_flag=True, help="Only say what would be freed; delete nothing.")
@click.option("--json", "as_json", is_flag=True)
def prune(dry_run: bool, as_json: bool) -> None:
    """Apply the retention policy (config/retention.yaml): old payloads, runs, quarantine."""
    from dashboard.retention import prune as run_prune

    report = run_prune(prepared_runtime(), dry_run=dry_run)
    click.echo(json.dumps(report.as_dict()) if as_json else report.line())


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8051, type=int)
@click.option("--faults/--no-faults", default=True, help="Now and then a bad row or an outage.")
@click.option(
    "--drop-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where file-delivering SKPDs drop their files (default: ODSK_DROP_DIR, <data dir>/drop).",
)
def simulate(host: str, port: int, faults: bool, drop_dir: Path | None) -> None:
    """Serve realistic SKPD feeds on loopback, keep the e-office database, drop SKPD files."""
    from dashboard.simulator.server import serve

    settings = get_settings()
    serve(
        settings.config_dir,
        host,
        port,
        faults=faults,
        drop_dir=drop_dir or settings.resolved_drop_dir,
    )


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8050, type=int)
@click.option("--workers", default=2, type=int, help="gunicorn worker processes.")
@MIGRATE_OPTION
def serve(host: str, port: int, workers: int, migrate: bool) -> None:
    """Serve the web app with gunicorn (app:server)."""
    from dashboard.serve import run_gunicorn
    from dashboard.settings import data_dir_problem

    problem = data_dir_problem(get_settings())
    if problem is None:
        prepared_runtime(migrate)  # refuse an invalid catalogue before forking workers
    else:  # serve what is stored, read-only (a banner on every page); migrate nothing
        click.echo(f"odsk serve: read-only mode: the data directory {problem}", err=True)
        try:
            load_catalogue(get_settings().config_dir)
        except CatalogueError as exc:
            print_issues(exc)
            sys.exit(1)
    run_gunicorn(host, port, workers)


@main.command()
@click.option("--port", default=8050, type=int)
@click.option("--simulator-port", default=8051, type=int)
def demo(port: int, simulator_port: int) -> None:
    """Everything on the embedded defaults: store, simulator, scheduler, web."""
    from dashboard.demo import run_demo

    run_demo(port=port, simulator_port=simulator_port)


if __name__ == "__main__":
    main()
