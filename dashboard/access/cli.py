"""``odsk user add|set-role|disable|enable|reset-password|list``: accounts from the command line.

The first admin is made here (``odsk user add NAME --role admin``); there is no default
account and no default password. A password is typed twice (hidden), read from standard
input (``--password-stdin``) or generated and printed once (``--generate``).
"""

from __future__ import annotations

import getpass
import json
import secrets
import sys

import click

from dashboard.access.accounts import (
    AccountError,
    add_account,
    list_accounts,
    reset_password,
    set_disabled,
    set_role,
)
from dashboard.access.audit import Actor
from dashboard.access.roles import Role


def _actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor.cli(f"cli:{who}")


def _rt():
    from dashboard.runtime import prepared_runtime

    return prepared_runtime()


def _password(from_stdin: bool, generate: bool) -> tuple[str, bool]:
    """(password, generated)."""
    if generate:
        return secrets.token_urlsafe(15), True
    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return click.prompt("Password", hide_input=True, confirmation_prompt=True), False


def _fail(exc: Exception) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


@click.group()
def user() -> None:
    """Accounts: add, change the role, disable, reset the password, list."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--skpd", "skpds", multiple=True, help="SKPD id (skpd_officer; repeatable).")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
def add(username, role, skpds, display_name, password_stdin, generate) -> None:
    rt = _rt()
    password, generated = _password(password_stdin, generate)
    try:
        row = add_account(
            rt.engine,
            username,
            role,
            password=password,
            display_name=display_name,
            skpds=list(skpds),
            known_skpds={s.id for s in rt.catalogue.skpd},
            actor=_actor(),
        )
    except (AccountError, ValueError) as exc:
        _fail(exc)
    click.echo(f"account {row.username} added ({row.role})")
    if generated:
        click.echo(f"password (shown once): {password}")


@user.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.option("--skpd", "skpds", multiple=True, help="SKPD id (skpd_officer; repeatable).")
def set_role_cmd(username, role, skpds) -> None:
    rt = _rt()
    try:
        row = set_role(
            rt.engine,
            username,
            role,
            list(skpds),
            known_skpds={s.id for s in rt.catalogue.skpd},
            actor=_actor(),
        )
    except (AccountError, ValueError) as exc:
        _fail(exc)
    click.echo(f"account {row.username}: {row.role}; its sessions have ended")


@user.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again.")
def disable(username, enable) -> None:
    rt = _rt()
    try:
        row = set_disabled(rt.engine, username, not enable, actor=_actor())
    except AccountError as exc:
        _fail(exc)
    click.echo(
        f"account {row.username} " + ("enabled" if enable else "disabled; its sessions have ended")
    )


@user.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
def reset(username, password_stdin, generate) -> None:
    rt = _rt()
    password, generated = _password(password_stdin, generate)
    try:
        row = reset_password(rt.engine, username, password, actor=_actor())
    except AccountError as exc:
        _fail(exc)
    click.echo(f"password of {row.username} changed; every session of it has ended")
    if generated:
        click.echo(f"password (shown once): {password}")


@user.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(as_json) -> None:
    rt = _rt()
    with rt.engine.connect() as conn:
        rows = list_accounts(conn)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "username": r.username,
                        "role": r.role,
                        "skpds": list(r.skpds),
                        "origin": r.origin,
                        "disabled": r.disabled,
                    }
                    for r in rows
                ]
            )
        )
        return
    for r in rows:
        extra = f" [{', '.join(r.skpds)}]" if r.skpds else ""
        state = " (disabled)" if r.disabled else ""
        click.echo(f"{r.username}\t{r.role}{extra}\t{r.origin}{state}")


@click.group()
def apikey() -> None:
    """Keys of the open-data API (/api/v1): create (shown once), revoke, list."""


@apikey.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option(
    "--clearance",
    default="internal",
    type=click.Choice(["public", "internal", "restricted"]),
    help="Highest classification the key may read (default internal).",
)
def apikey_create(name, role, clearance) -> None:
    from dashboard.access.api_keys import ApiKeyError, create_key

    rt = _rt()
    try:
        row, key = create_key(rt.engine, name, role, clearance, actor=_actor())
    except ApiKeyError as exc:
        _fail(exc)
    click.echo(f"API key {row.name} created ({row.role}, clearance {row.clearance})")
    click.echo(f"key (shown once; send it as X-API-Key): {key}")


@apikey.command("revoke")
@click.argument("name")
def apikey_revoke(name) -> None:
    from dashboard.access.api_keys import revoke_key

    rt = _rt()
    if not revoke_key(rt.engine, name, actor=_actor()):
        _fail(ValueError(f"no active API key named {name!r}"))
    click.echo(f"API key {name} revoked")


@apikey.command("list")
def apikey_list() -> None:
    from dashboard.store.api_keys import list_keys

    rt = _rt()
    with rt.engine.connect() as conn:
        rows = list_keys(conn)
    for r in rows:
        state = " (revoked)" if r.revoked_at else ""
        click.echo(f"{r.name}\t{r.role}\t{r.clearance}\t{r.key_id}{state}")
