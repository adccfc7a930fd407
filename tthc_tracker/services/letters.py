"""Apology letters: drafts, issuing (number + extension + .docx in one transaction), lists,
verification against stored hashes, template checks and batch printing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tthc_tracker.documents.letters import check_template, merge_letters, render_letter
from tthc_tracker.domain.calendar import WorkCalendar
from tthc_tracker.domain.catalog import Agency
from tthc_tracker.domain.dossier import OPEN_STATUSES
from tthc_tracker.domain.errors import ConfigError, DuplicateError, NotFoundError, TransitionError
from tthc_tracker.domain.letters import (
    LETTER_FIELDS,
    Honorific,
    LetterFacts,
    LetterStatus,
    Template,
    apology_deadline,
    letter_fields,
    number_text,
)
from tthc_tracker.domain.times import local
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.services.ledger import extend_in
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository
from tthc_tracker.storage.workflow import StoredLetter


@dataclass(frozen=True, slots=True)
class Issued:
    letter: StoredLetter
    new_due_at: datetime
    late: bool


def safe_name(text: str) -> str:
    """A file-name part that is safe on every system, whatever a dossier code contains."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return cleaned[:80] or "ho-so"


def template_path(templates_dir: Path, choice: str) -> Path:
    """A shipped template by name (``tt03-2025``, ``tt01-2018``, ``cong-van``) or a .docx path."""
    if choice in {t.value for t in Template}:
        path = templates_dir / f"{choice}.docx"
    else:
        path = Path(choice)
    if not path.is_file():
        raise ConfigError("letter_template", f"không tìm thấy mẫu văn bản {path}")
    return path


def _agency_calendar(calendars: Calendars, agency: Agency) -> WorkCalendar:
    return calendars.for_agency(agency)


def draft(db: Database, calendars: Calendars, code: str, actor: str, now: datetime) -> bool:
    """`tthc letters draft CODE`: a draft for an open dossier; False if it already has one."""
    with db.transaction() as repo:
        dossier = repo.get_dossier(code)
        if dossier.status not in OPEN_STATUSES:
            raise TransitionError(code, dossier.status.label, "lập dự thảo văn bản xin lỗi")
        agency = repo.get_agency(dossier.processing_agency)
        deadline = apology_deadline(
            _agency_calendar(calendars, agency), dossier.original_due_at, agency.apology_lead_days
        )
        return repo.workflow.add_draft(
            code, agency.code, dossier.original_due_at, deadline, actor, now
        )


def issue(
    db: Database,
    calendars: Calendars,
    templates_dir: Path,
    letters_dir: Path,
    code: str,
    *,
    reason: str,
    new_due: datetime,
    at: datetime,
    honorific: Honorific,
    actor: str,
    now: datetime,
) -> Issued:
    """Issue the dossier's apology letter.

    In one transaction: the next gapless number of the processing agency for the year, the
    extension of the dossier (refused if there was one, if the new time is not after the
    current one or not a working instant, or without a reason), the .docx written under
    ``letters_dir/AGENCY/YEAR/`` and its SHA-256. If anything fails the transaction rolls
    back (the number is not consumed) and the file is removed.
    """
    written: Path | None = None
    try:
        with db.transaction() as repo:
            existing = repo.workflow.letter_for(code)
            if existing is not None and existing.status is LetterStatus.ISSUED:
                raise DuplicateError("letter", f"{code} ({existing.number_text})")
            before = repo.get_dossier(code)
            view = extend_in(repo, calendars, code, new_due, reason, at, actor, now)
            written = _write(
                repo,
                calendars,
                templates_dir,
                letters_dir,
                before.code,
                reason,
                view.dossier.due_at,
                at,
                honorific,
                actor,
                now,
            )
            letter = repo.workflow.letter_for(code)
            if letter is None:  # pragma: no cover - _write stores it
                raise NotFoundError("letter", code)
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    return Issued(letter, view.dossier.due_at, letter.late)


def _write(
    repo: Repository,
    calendars: Calendars,
    templates_dir: Path,
    letters_dir: Path,
    code: str,
    reason: str,
    new_due: datetime,
    at: datetime,
    honorific: Honorific,
    actor: str,
    now: datetime,
) -> Path:
    dossier = repo.get_dossier(code)
    agency = repo.get_agency(dossier.processing_agency)
    calendar = _agency_calendar(calendars, agency)
    deadline = apology_deadline(calendar, dossier.original_due_at, agency.apology_lead_days)
    issued_on = local(at).date()
    year = issued_on.year
    number = repo.workflow.next_number(agency.code, year)
    fields = letter_fields(
        dossier,
        repo.get_procedure(dossier.procedure_code),
        agency,
        repo.get_agency(dossier.receiving_agency),
        LetterFacts(number, issued_on, reason, new_due, honorific),
    )
    template = template_path(templates_dir, agency.letter_template)
    path = letters_dir / safe_name(agency.code) / str(year) / f"{number:02d}-{safe_name(code)}.docx"
    # The number was never committed before, so a file already there is the orphan of an
    # issue that crashed before its commit: it is replaced.
    path.parent.mkdir(parents=True, exist_ok=True)
    sha = render_letter(template, fields, path)
    try:
        _store(
            repo,
            code,
            agency,
            year,
            number,
            reason,
            new_due,
            dossier.original_due_at,
            deadline,
            issued_on > deadline,
            at,
            path,
            sha,
            actor,
            now,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _store(
    repo: Repository,
    code: str,
    agency: Agency,
    year: int,
    number: int,
    reason: str,
    new_due: datetime,
    original_due: datetime,
    deadline: date,
    late: bool,
    at: datetime,
    path: Path,
    sha: str,
    actor: str,
    now: datetime,
) -> None:
    repo.workflow.issue(
        code,
        agency.code,
        year=year,
        number=number,
        number_text=number_text(number, agency.letter_suffix),
        reason=reason,
        new_due_at=new_due,
        original_due_at=original_due,
        deadline=deadline,
        late=late,
        issued_at=at,
        template=agency.letter_template,
        path=str(path),
        sha256=sha,
        actor=actor,
        now=now,
    )


def list_letters(
    db: Database, status: LetterStatus | None = None, agency: str | None = None
) -> list[StoredLetter]:
    with db.transaction() as repo:
        return repo.workflow.list_letters(status, agency)


def find(
    db: Database, number: str, agency: str | None = None, year: int | None = None
) -> list[StoredLetter]:
    """Issued letters by their number text ("01/PXL"), optionally of one agency and year."""
    with db.transaction() as repo:
        if agency is not None:
            repo.get_agency(agency)
        found = repo.workflow.letter_by_number(agency, year, number)
    if not found:
        raise NotFoundError("letter", number)
    return found


@dataclass(frozen=True, slots=True)
class Verification:
    letter: StoredLetter
    problem: str  # "" when the file matches its hash


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(db: Database) -> list[Verification]:
    """Check every issued letter's file against its stored SHA-256."""
    results = []
    for letter in list_letters(db, LetterStatus.ISSUED):
        path = Path(letter.path or "")
        if not letter.path or not path.is_file():
            results.append(Verification(letter, "thiếu tệp"))
        elif _sha256(path) != letter.sha256:
            results.append(Verification(letter, "tệp đã bị sửa (mã băm SHA-256 khác)"))
        else:
            results.append(Verification(letter, ""))
    return results


def check(template: Path) -> tuple[set[str], set[str]]:
    """(unknown fields the template uses, known fields it does not use)."""
    return check_template(template, LETTER_FIELDS)


def print_batch(
    db: Database,
    out: Path,
    agency: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
) -> list[StoredLetter]:
    """Merge issued letters (of an agency, issued between two local dates) into one .docx."""
    chosen = [
        letter
        for letter in list_letters(db, LetterStatus.ISSUED, agency)
        if letter.issued_at is not None
        and (day_from is None or local(letter.issued_at).date() >= day_from)
        and (day_to is None or local(letter.issued_at).date() <= day_to)
    ]
    if not chosen:
        raise NotFoundError("letter", "(không có văn bản nào trong khoảng đã chọn)")
    for verification in (v for v in verify(db) if v.letter in chosen and v.problem):
        raise ConfigError(str(verification.letter.path), verification.problem)
    merge_letters([Path(letter.path or "") for letter in chosen], out)
    return chosen
