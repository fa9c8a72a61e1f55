"""Email delivery over SMTP (stdlib smtplib), with a timeout, optional STARTTLS and login.
4xx replies and dropped connections are worth retrying; 5xx replies are final."""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping, Sequence
from email.message import EmailMessage

from dashboard.alerts.config import Email
from dashboard.notify.errors import DeliveryError, permanent, transient


def send_email(
    cfg: Email,
    subject: str,
    body: str,
    env: Mapping[str, str] | None = None,
    *,
    to: Sequence[str] | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    message_id: str | None = None,
) -> None:
    """One message to ``to`` (default: the alert recipients); ``attachments`` as (file name,
    content, MIME type); ``message_id`` lets a receiver see a resend as the same message."""
    env = os.environ if env is None else env
    message = EmailMessage()
    message["From"] = cfg.sender
    message["To"] = ", ".join(cfg.recipients if to is None else to)
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    for name, content, mime in attachments:
        main, _, sub = mime.partition("/")
        message.add_attachment(content, maintype=main, subtype=sub or "octet-stream", filename=name)
    try:
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds) as smtp:
            if cfg.starttls:
                smtp.starttls()
            if cfg.username:
                smtp.login(cfg.username, env.get(cfg.password_env or "", ""))
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise _by_codes(
            [code for code, _ in exc.recipients.values()], f"recipients refused: {exc.recipients}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise _by_codes([exc.smtp_code], f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timed out
        raise transient(f"{type(exc).__name__}: {exc}") from exc
    if refused:
        # Some recipients took it: sending again would duplicate theirs, so report, don't retry.
        raise permanent(f"some recipients refused: {refused}")


def _by_codes(codes: list[int], message: str) -> DeliveryError:
    return transient(message) if any(400 <= c < 500 for c in codes) else permanent(message)
