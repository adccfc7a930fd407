"""E-mail: compose a message, send it through SMTP, or keep it in the outbox as a .eml file."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Smtp:
    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    starttls: bool = False


@dataclass(frozen=True, slots=True)
class Attachment:
    path: Path
    maintype: str
    subtype: str


DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def compose(
    sender: str, to: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    if to:  # a message kept in the outbox for a citizen without an address has no "To"
        message["To"] = to
    message.set_content(body)
    for item in attachments:
        message.add_attachment(
            item.path.read_bytes(),
            maintype=item.maintype,
            subtype=item.subtype,
            filename=item.path.name,
        )
    return message


def wire(message: EmailMessage) -> bytes:
    # CPython folds a long Vietnamese subject between two encoded words and drops the space
    # there ("quá hạnvà quá hạn"); RFC 5322 allows 998-character lines: no folding.
    return message.as_bytes(policy=message.policy.clone(max_line_length=998, linesep="\r\n"))


def send(smtp: Smtp, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.user:
            client.login(smtp.user, smtp.password)
        client.sendmail(smtp.sender, [str(message["To"])], wire(message))


def save(message: EmailMessage, path: Path) -> Path:
    """Keep the message in the outbox (a .eml file any mail program opens)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(wire(message))
    return path
