"""Morning digests: per agency, the dossiers at risk and overdue, and those awaiting a
supplement past its 15 days, written to the outbox and sent by e-mail when SMTP is
configured."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tthc_tracker.documents.digest import DigestLine, digest_csv, digest_text
from tthc_tracker.domain.errors import ConfigError
from tthc_tracker.domain.letters import LetterStatus
from tthc_tracker.domain.supplement import past_text
from tthc_tracker.domain.sweep import FlagKind
from tthc_tracker.domain.timeliness import remaining_text
from tthc_tracker.domain.times import local
from tthc_tracker.services import mail
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.services.mail import Smtp
from tthc_tracker.services.sweep import find_flags
from tthc_tracker.storage.db import Database

LETTER_LABELS = {None: "chưa có", LetterStatus.DRAFT: "dự thảo", LetterStatus.ISSUED: "đã ban hành"}
NO_LETTER = "không áp dụng"  # no apology letter is due for a supplement that never came
DIGEST_KINDS = (
    FlagKind.AT_RISK,
    FlagKind.OVERDUE,
    FlagKind.SUPPLEMENT_EXPIRED,
    FlagKind.LATE_WITHOUT_APOLOGY,  # only open ones: rescheduled without their letter
)


@dataclass(frozen=True, slots=True)
class Digest:
    agency: str
    email: str
    day: date
    lines: list[DigestLine]


@dataclass(frozen=True, slots=True)
class Delivery:
    digest: Digest
    files: list[Path]
    sent: bool  # e-mailed now
    already_sent: bool  # e-mailed by an earlier run of the same day


def build(db: Database, calendars: Calendars, as_of: datetime) -> list[Digest]:
    """One digest per agency that has dossiers at risk, overdue or past the 15 days for a
    supplement at ``as_of``."""
    with db.transaction() as repo:
        flags = [f for f in find_flags(repo, calendars, as_of) if f.kind in DIGEST_KINDS]
        letters = repo.workflow.letter_states()
        agencies = {a.code: a for a in repo.list_agencies()}
        by_agency: dict[str, list[DigestLine]] = {}
        for flag in flags:
            dossier = repo.get_dossier(flag.code)
            if flag.kind is FlagKind.LATE_WITHOUT_APOLOGY and not dossier.status.is_open:
                continue  # finished late: the statistics' business, not the morning's
            agency = agencies[dossier.processing_agency]
            calendar = calendars.for_agency(agency)
            waiting = flag.kind is FlagKind.SUPPLEMENT_EXPIRED
            # the flag's own time: the due time, the legal one for an extension without its
            # letter, or the end of the 15 days for a supplement
            due = flag.due_at
            left = calendar.working_between(as_of, due)
            remaining = (
                past_text(due, as_of) if waiting else remaining_text(left, overdue=due < as_of)
            )
            by_agency.setdefault(agency.code, []).append(
                DigestLine(
                    code=dossier.code,
                    kind=flag.kind.label,
                    applicant=dossier.applicant_name,
                    procedure=repo.get_procedure(dossier.procedure_code).name,
                    due_at=due,
                    remaining=remaining,
                    letter=NO_LETTER if waiting else LETTER_LABELS[letters.get(dossier.code)],
                )
            )
    day = local(as_of).date()
    return [
        Digest(code, agencies[code].email, day, sorted(lines, key=lambda x: x.due_at))
        for code, lines in sorted(by_agency.items())
    ]


def deliver(digests: list[Digest], outbox: Path, smtp: Smtp | None) -> list[Delivery]:
    """Write each digest to ``outbox/YYYY-MM-DD/AGENCY.txt|.csv``; e-mail it once per day.

    A mail server that cannot be reached stops no outbox file and no other agency's e-mail;
    the failures are reported together afterwards (a re-run sends only what was not sent).
    """
    deliveries = []
    failures: list[str] = []
    for digest in digests:
        folder = outbox / digest.day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        text = digest_text(digest.agency, digest.day, digest.lines)
        files = [folder / f"{digest.agency}.txt", folder / f"{digest.agency}.csv"]
        files[0].write_text(text, encoding="utf-8")
        files[1].write_text(digest_csv(digest.lines), encoding="utf-8-sig")
        marker = folder / f"{digest.agency}.sent"
        already = marker.exists()
        sent = False
        if smtp is not None and digest.email and not already:
            try:
                _send(smtp, digest, text, files[1])
            except OSError as exc:  # refused, timed out, or an SMTP error reply
                failures.append(f"{digest.agency} → {digest.email}: {exc}")
            else:
                marker.write_text(digest.email + "\n", encoding="utf-8")
                sent = True
        deliveries.append(Delivery(digest, files, sent, already))
    if failures and smtp is not None:
        raise ConfigError(
            "TTHC_SMTP_HOST",
            f"không gửi được thư qua {smtp.host}:{smtp.port} ({'; '.join(failures)}); "
            f"bản tin vẫn được ghi trong {outbox}",
        )
    return deliveries


def _send(smtp: Smtp, digest: Digest, text: str, attachment: Path) -> None:
    subject = (
        f"[tthc-tracker] {digest.agency}: hồ sơ sắp quá hạn và quá hạn ngày {digest.day:%d/%m/%Y}"
    )
    csv_file = mail.Attachment(attachment, "text", "csv")
    mail.send(smtp, mail.compose(smtp.sender, digest.email, subject, text, (csv_file,)))
