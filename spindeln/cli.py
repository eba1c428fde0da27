"""The `spindeln` command: set up an instance, fill it with a demo, serve it, manage it."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo, with_appcontext

from spindeln import CONFIG_FILE, InstanceNotReady, create_app, resolve_instance


def _instance(ctx: click.Context) -> Path:
    return ctx.find_root().params["instance_path"]


def _load_app(ctx: click.Context) -> Flask:
    try:
        return create_app(instance_path=_instance(ctx))
    except InstanceNotReady as error:
        raise click.ClickException(str(error)) from error


@click.group()
@click.option(
    "--instance",
    "instance_path",
    envvar="SPINDELN_INSTANCE",
    default="instances/demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Instance folder with config.toml and the SQLite database (or $SPINDELN_INSTANCE).",
)
@click.pass_context
def main(ctx: click.Context, instance_path: Path) -> None:
    """Spindeln: measure the conditions for collaboration, round after round."""
    ctx.params["instance_path"] = resolve_instance(instance_path)
    ctx.obj = ScriptInfo(create_app=lambda: _load_app(ctx))


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the instance folder (config with a random secret key, database, migrations); safe to rerun."""
    instance = _instance(ctx)
    instance.mkdir(parents=True, exist_ok=True)
    config_file = instance / CONFIG_FILE
    if not config_file.exists():
        config_file.write_text(
            "# Spindeln instance configuration. Keep SECRET_KEY secret.\n"
            f'SECRET_KEY = "{secrets.token_hex(32)}"\n'
            "# DATABASE_URL = \"postgresql+psycopg://user@host/spindeln\"  (default: spindeln.sqlite here)\n"
            "# PUBLIC_URL = \"https://spindeln.example.se\"  (address in links and QR codes behind a proxy)\n",
            encoding="utf-8",
        )
        config_file.chmod(0o600)
        click.echo(f"Created {config_file}")
    app = _load_app(ctx)
    with app.app_context():
        _upgrade_database()
    click.echo(f"Instance ready: {instance}")


def _upgrade_database() -> None:
    from spindeln.db import db
    from spindeln.migrate import current_revision, head_revision, upgrade
    from spindeln.results.operations import freeze_unreleased
    from spindeln.web import instruments

    if current_revision(db.engine) != head_revision(db.engine):
        upgrade(db.engine)
        click.echo(f"Database migrated to revision {head_revision(db.engine)}")
    # Rounds closed before releases were kept get theirs now, once (docs/anonymity.md).
    frozen = freeze_unreleased(instruments())
    db.session.commit()
    if frozen:
        click.echo(f"Decided and kept the release of {len(frozen)} closed round(s).")


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply the schema migrations the database does not have yet (run once per deployment)."""
    _upgrade_database()
    click.echo("Database is up to date.")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the schema change is.")
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the models' difference to the (up-to-date) database; for developers."""
    from spindeln.db import db as database
    from spindeln.migrate import new_revision

    new_revision(database.engine, message)


@main.command()
@click.option("--seed", default=2017, show_default=True, help="Seed of the random demo answers.")
@with_appcontext
def demo(seed: int) -> None:
    """Create the demo programme: seven districts, three professions, six closed rounds and one open."""
    from spindeln.db import db as database
    from spindeln.demo import DEMO_SLUG, create_demo
    from spindeln.programmes.queries import programme_by_slug

    if programme_by_slug(DEMO_SLUG) is not None:
        click.echo(f"The demo programme {DEMO_SLUG!r} is already there; nothing changed.")
        return
    programme, created_user = create_demo(seed=seed)
    database.session.commit()
    click.echo(f"Created {programme.name!r} ({programme.slug}) with {len(programme.rounds)} rounds.")
    if created_user:
        click.echo(f"Demo login: {created_user[0]} / {created_user[1]}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Worker processes (default: two per core, 2 to 8). Each serves one request at a time.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int | None) -> None:
    """Serve the app with gunicorn's worker processes, a production server (Linux and macOS)."""
    from spindeln.ops.serving import default_workers
    from spindeln.ops.serving import serve as run_server

    app = _load_app(ctx)
    with app.app_context():
        from spindeln.db import db as database
        from spindeln.migrate import current_revision, head_revision

        if current_revision(database.engine) != head_revision(database.engine):
            raise click.ClickException("The database is not up to date: run `spindeln db upgrade` first.")
        from spindeln.results.operations import unreleased_rounds

        if unreleased_rounds():
            raise click.ClickException("Some closed rounds have no release yet: run `spindeln db upgrade` first.")
    workers = workers or default_workers()
    click.echo(f"Spindeln serves {_instance(ctx)} at http://{host}:{port}/ with {workers} worker processes"
               " (Ctrl-C stops it)")
    run_server(app, host, port, workers)


@main.group()
def user() -> None:
    """User accounts."""


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "researcher", "coordinator"]), default="admin", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
@with_appcontext
def user_add(email: str, role: str, password_stdin: bool) -> None:
    """Create a user; the password comes from a prompt or from stdin."""
    from spindeln.auth.models import Role
    from spindeln.auth.operations import AccountError, add_user
    from spindeln.db import db as database

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        add_user(email, password, Role(role))
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    database.session.commit()
    click.echo(f"Created {role} {email.strip().lower()}")


@main.command()
@click.option("--programme", "slug", required=True, help="Programme slug.")
@click.option("--round", "number", required=True, type=int, help="Round number.")
@click.option("--unit", "unit_name", help="Bind the link to this unit (name or key).")
@with_appcontext
def link(slug: str, number: int, unit_name: str | None) -> None:
    """Print the respondent URL path of a round (made if the round has none)."""
    from flask import current_app, url_for

    from spindeln.db import db as database
    from spindeln.programmes.operations import active_link
    from spindeln.programmes.cli import group_named, programme_named
    from spindeln.programmes.queries import round_by_number

    programme = programme_named(slug)
    measurement_round = round_by_number(programme, number)
    if measurement_round is None:
        raise click.ClickException(f"Programme {slug!r} has no round {number}.")
    unit, _profession = group_named(programme, unit_name, None)
    respondent_link = active_link(measurement_round, unit)
    database.session.commit()
    with current_app.test_request_context("/"):
        click.echo(url_for("survey.respond", token=respondent_link.token))


from spindeln.results import cli as results_cli  # noqa: E402

main.add_command(results_cli.summary)
main.add_command(results_cli.chart)

from spindeln.reports import cli as reports_cli  # noqa: E402

main.add_command(reports_cli.report)

from spindeln.transfer import cli as transfer_cli  # noqa: E402

main.add_command(transfer_cli.import_command)
main.add_command(transfer_cli.export_command)

from spindeln.ops import cli as ops_cli  # noqa: E402

main.add_command(ops_cli.backup)
main.add_command(ops_cli.restore)
