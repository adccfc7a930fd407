"""Apology letters: drafts, issuing (number + extension + .docx in one transaction), lists,
verification against stored hashes, template checks and batch printing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from tthc_tracker.documents.letters import check_template, merge_letters, render_letter
from tthc_tracker.documents.pdf import converter, to_pdf
from tthc_tracker.domain.catalog import Agency, required
from tthc_tracker.domain.dossier import (
    CLOSED_WITHOUT_RESULT,
    OPEN_STATUSES,
    Dossier,
    EventKind,
    Status,
)
from tthc_tracker.domain.errors import (
    ChronologyError,
    ConfigError,
    DuplicateError,
    EmptyFieldError,
    ExtensionError,
    FutureTimeError,
    LetterFileError,
    NotFoundError,
    NothingToPrintError,
    TransitionError,
)
from tthc_tracker.domain.letters import (
    LETTER_FIELDS,
    Honorific,
    LetterFacts,
    LetterStatus,
    Template,
    apology_deadline,
    is_late_apology,
    letter_fields,
    notice_subject,
    notice_text,
    number_text,
)
from tthc_tracker.domain.times import local, nfc, show
from tthc_tracker.i18n import _
from tthc_tracker.services import mail
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.services.ledger import DossierView, extend_in, view_in
from tthc_tracker.services.mail import Smtp
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.repository import Repository
from tthc_tracker.storage.workflow import StoredLetter


@dataclass(frozen=True, slots=True)
class Notice:
    """How the citizen was told: e-mailed, or kept in the outbox (no e-mail or no SMTP)."""

    emailed: bool
    path: Path | None  # the .eml kept in the outbox when not e-mailed
    problem: str = ""  # why sending failed, when it did


@dataclass(frozen=True, slots=True)
class Issued:
    letter: StoredLetter
    new_due_at: datetime
    late: bool
    notice: Notice | None = None


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
        raise ConfigError("--letter-template", f"không tìm thấy mẫu văn bản {path}")
    return path


def draft(db: Database, calendars: Calendars, code: str, actor: str, now: datetime) -> bool:
    """`tthc letters draft CODE`: a draft for an open dossier; False if it already has one."""

    def work(repo: Repository) -> bool:
        dossier = repo.get_dossier(code)
        if dossier.status not in OPEN_STATUSES:
            raise TransitionError(code, dossier.status.label, "lập dự thảo văn bản xin lỗi")
        agency = repo.get_agency(dossier.processing_agency)
        deadline = apology_deadline(
            calendars.for_agency(agency),
            dossier.original_due_at,
            agency.apology_lead_days,
            dossier.received_at,
        )
        return repo.workflow.add_draft(
            code, agency.code, dossier.original_due_at, deadline, actor, now
        )

    return db.run(work)


def issue(
    db: Database,
    calendars: Calendars,
    templates_dir: Path,
    letters_dir: Path,
    code: str,
    *,
    reason: str,
    new_due: datetime | None,
    at: datetime,
    honorific: Honorific,
    actor: str,
    now: datetime,
    smtp: Smtp | None = None,
    outbox: Path | None = None,
) -> Issued:
    """Issue the dossier's apology letter.

    In one transaction: the next gapless number of the processing agency for the year, the
    extension of the dossier (refused if there was one, if the new time is not after the
    current one or not a working instant, or without a reason), the .docx written under
    ``letters_dir/AGENCY/YEAR/`` and its SHA-256. If anything fails the transaction rolls
    back (the number is not consumed) and the file is removed. A dossier already finished
    after its legal due time without a letter still gets its (late) letter, with no
    extension: the new time is when the result was, or will be, returned (``new_due`` may
    then be left out: the return time, else the completion time). With an ``outbox``, the
    applicant is then told: by e-mail when they have an address and ``smtp`` is set,
    otherwise the message is kept in ``outbox/DATE/thong-bao/`` as a .eml file.
    """
    reason = nfc(reason)  # stored as the extension event's reason is: NFC, no outer blanks
    written: list[Path] = []  # the file of the attempt under way

    def work(repo: Repository) -> tuple[StoredLetter, datetime]:
        _remove(written)  # an earlier attempt was rolled back: its number was not consumed
        before = repo.get_dossier(code, lock=True)  # one issuer per dossier at a time
        existing = repo.workflow.letter_for(code)
        if existing is not None and existing.status is LetterStatus.ISSUED:
            raise DuplicateError("letter", f"{code} ({existing.number_text})")
        finished = _late_finish(before)
        if finished is not None:
            new_time = _after_finishing(before, finished, new_due, reason, at, now)
        elif not _letter_wanted(before):
            raise TransitionError(before.code, before.status.label, "ban hành văn bản xin lỗi")
        elif new_due is None:
            raise EmptyFieldError("--new-due")
        elif before.extended:
            view = _recorded_extension(repo, calendars, before, new_due, reason, at, now)
            new_time = view.dossier.due_at
        else:
            new_time = extend_in(
                repo, calendars, code, new_due, reason, at, actor, now
            ).dossier.due_at
        written.append(
            _write(
                repo,
                calendars,
                templates_dir,
                letters_dir,
                before.code,
                reason,
                new_time,
                at,
                honorific,
                actor,
                now,
            )
        )
        letter = repo.workflow.letter_for(code)
        if letter is None:  # pragma: no cover - _write stores it
            raise NotFoundError("letter", code)
        return letter, new_time

    try:
        letter, new_time = db.run(work)
    except BaseException:
        _remove(written)
        raise
    notice = None
    if outbox is not None:
        notice = notify(db, letter, honorific, smtp, outbox)
    return Issued(letter, new_time, letter.late, notice)


def _late_finish(dossier: Dossier) -> datetime | None:
    """When a dossier completed or returned after its legal due time, never rescheduled,
    finished; None for any other."""
    finished = dossier.completed_at or dossier.returned_at
    if dossier.status not in (Status.COMPLETED, Status.RETURNED) or dossier.extended:
        return None
    return finished if finished is not None and finished > dossier.original_due_at else None


def _letter_wanted(dossier: Dossier) -> bool:
    """Whether the dossier needs (or may still get) its apology letter: open, finished late
    without a new time, or rescheduled without its letter (``tthc dossier extend``) and not
    closed without a result."""
    return (
        dossier.status.is_open
        or _late_finish(dossier) is not None
        or (dossier.extended and dossier.status not in CLOSED_WITHOUT_RESULT)
    )


def _after_finishing(
    dossier: Dossier,
    finished: datetime,
    new_due: datetime | None,
    reason: str,
    at: datetime,
    now: datetime,
) -> datetime:
    """The time a late letter for a finished dossier states: the return time once the
    result was returned, else a time not before the completion (default: the completion)."""
    required(reason, "--reason")
    if at > now:
        raise FutureTimeError("--at", show(at), show(now))
    if at < dossier.received_at:
        raise ChronologyError("--at", show(at), _("lúc tiếp nhận"), show(dossier.received_at))
    if dossier.returned_at is not None:
        if new_due is not None and new_due.replace(microsecond=0) != dossier.returned_at:
            raise ExtensionError(
                dossier.code,
                _(
                    "hồ sơ đã trả kết quả lúc {returned}; văn bản xin lỗi ghi đúng thời gian "
                    'đó hoặc bỏ --new-due: --new-due "{returned}"'
                ).format(returned=show(dossier.returned_at)),
            )
        return dossier.returned_at
    if new_due is None:
        return finished
    if new_due < finished:
        raise ChronologyError("--new-due", show(new_due), _("lúc hoàn thành"), show(finished))
    return new_due.replace(microsecond=0)


def _recorded_extension(
    repo: Repository,
    calendars: Calendars,
    dossier: Dossier,
    new_due: datetime,
    reason: str,
    at: datetime,
    now: datetime,
) -> DossierView:
    """A dossier rescheduled earlier without its letter (``tthc dossier extend``): the letter
    is issued for that one extension, with the checks an extension has (a reason, a dossier
    not closed without a result, a time not before the extension nor in the future), and
    must state the time it set."""
    if dossier.status in CLOSED_WITHOUT_RESULT:
        raise TransitionError(dossier.code, dossier.status.label, "ban hành văn bản xin lỗi")
    required(reason, "--reason")
    if at > now:
        raise FutureTimeError("--at", show(at), show(now))
    view = view_in(repo, calendars, dossier, now)
    extended = [e.event.at for e in view.events if e.event.kind is EventKind.EXTENDED]
    if extended and at < extended[-1]:
        raise ChronologyError("--at", show(at), "lúc hẹn lại", show(extended[-1]))
    if new_due.replace(microsecond=0) != dossier.due_at:
        raise ExtensionError(
            dossier.code,
            f"hồ sơ đã được hẹn lại đến {show(dossier.due_at)} (chỉ được hẹn lại một lần); "
            f'văn bản xin lỗi ghi đúng thời gian đó: --new-due "{show(dossier.due_at)}"',
        )
    return view


def _remove(paths: list[Path]) -> None:
    while paths:
        paths.pop().unlink(missing_ok=True)


def notify(
    db: Database, letter: StoredLetter, honorific: Honorific, smtp: Smtp | None, outbox: Path
) -> Notice:
    """E-mail the issued letter to the applicant, or keep the message in the outbox."""
    with db.transaction() as repo:
        dossier = repo.get_dossier(letter.dossier_code)
        agency = repo.get_agency(letter.agency_code)
        fields = letter_fields(
            dossier,
            repo.get_procedure(dossier.procedure_code),
            agency,
            repo.get_agency(dossier.receiving_agency),
            LetterFacts(
                letter.number,
                local(letter.issued_at or dossier.received_at).date(),
                letter.reason,
                letter.new_due_at,
                honorific,
            ),
        )
    sender = smtp.sender if smtp else "tthc-tracker@localhost"
    attachment = mail.Attachment(Path(letter.path or ""), *mail.DOCX)
    text = notice_text(fields)
    if not dossier.email:  # kept for the clerk, who tells the citizen another way
        text = (
            _(
                "[Cho cán bộ một cửa: công dân chưa có thư điện tử; điện thoại: {phone}; địa "
                "chỉ: {address}. Hãy báo cho công dân bằng cách khác (điện thoại, tin nhắn, "
                "trực tiếp).]"
            ).format(phone=dossier.phone or "—", address=dossier.address or "—")
            + "\n\n"
            + text
        )
    message = mail.compose(sender, dossier.email, notice_subject(fields), text, (attachment,))
    problem = ""
    if smtp is not None and dossier.email:
        try:
            mail.send(smtp, message)
            return Notice(True, None)
        except OSError as error:  # refused, unreachable, timed out: keep it in the outbox
            problem = str(error) or type(error).__name__
    day = local(letter.recorded_at or letter.issued_at or dossier.received_at).date().isoformat()
    path = outbox / day / "thong-bao" / f"{Path(letter.path or 'thu').stem}.eml"
    return Notice(False, mail.save(message, path), problem)


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
    calendar = calendars.for_agency(agency)
    deadline = apology_deadline(
        calendar, dossier.original_due_at, agency.apology_lead_days, dossier.received_at
    )
    issued_on = local(at).date()
    year = issued_on.year
    number = repo.workflow.next_number(agency.code, year)  # locks the agency's counter
    _after_last_letter(repo, agency.code, year, issued_on)  # so no other issue slips between
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
            is_late_apology(deadline, at, now),
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


def _after_last_letter(repo: Repository, agency: str, year: int, issued_on: date) -> None:
    """Outgoing numbers follow the dates: a letter may not bear a date before the one the
    agency's previous number bears (the register of outgoing documents, ND 30/2020)."""
    last = repo.workflow.last_issued(agency, year)
    if last is None or last.issued_at is None or local(last.issued_at).date() <= issued_on:
        return
    raise ChronologyError(
        "--at",
        issued_on.strftime("%d/%m/%Y"),
        _("ngày của văn bản số {n} ({agency}) đã ban hành").format(
            n=last.number_text, agency=agency
        ),
        local(last.issued_at).strftime("%d/%m/%Y"),
    )


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


def current_letters(
    db: Database,
    calendars: Calendars,
    status: LetterStatus | None = None,
    agency: str | None = None,
) -> list[StoredLetter]:
    """`tthc letters list`: the issued letters, and the drafts still wanted, as of the
    dossier now. A draft made by a sweep is left out once its dossier needs no letter
    (withdrawn, refused, stopped, finished in time); its legal due time and apology deadline
    are the dossier's current ones (a calendar edit or a supplement may have moved them)."""
    with db.transaction() as repo:
        agencies: dict[str, Agency] = {}
        shown = []
        for letter in repo.workflow.list_letters(status, agency):
            if letter.status is LetterStatus.ISSUED:
                shown.append(letter)
                continue
            dossier = repo.get_dossier(letter.dossier_code)
            if not _letter_wanted(dossier):
                continue
            code = dossier.processing_agency
            if code not in agencies:
                agencies[code] = repo.get_agency(code)
            owner = agencies[code]
            deadline = apology_deadline(
                calendars.for_agency(owner),
                dossier.original_due_at,
                owner.apology_lead_days,
                dossier.received_at,
            )
            shown.append(
                replace(letter, original_due_at=dossier.original_due_at, apology_deadline=deadline)
            )
        return shown


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
    return [
        Verification(letter, _problem(letter)) for letter in list_letters(db, LetterStatus.ISSUED)
    ]


def _problem(letter: StoredLetter) -> str:
    """What is wrong with an issued letter's file ("" when it matches its SHA-256)."""
    path = Path(letter.path or "")
    if not letter.path or not path.is_file():
        return "thiếu tệp"
    if _sha256(path) != letter.sha256:
        return "tệp đã bị sửa (mã băm SHA-256 khác)"
    return ""


def usable_template(templates_dir: Path, choice: str) -> Path:
    """The template an agency chooses, checked before it is needed (at ``agency add``, not
    at the first letter, when the letter is urgent): it exists, is a .docx, and uses no
    field the letters do not have."""
    path = template_path(templates_dir, choice)
    unknown, _unused = check(path)
    if unknown:
        raise ConfigError(
            "--letter-template",
            f"mẫu {path} dùng trường không có trong dữ liệu: {', '.join(sorted(unknown))} "
            "(xem tthc letters check-template)",
        )
    return path


def check(template: Path) -> tuple[set[str], set[str]]:
    """(unknown fields the template uses, known fields it does not use)."""
    return check_template(template, LETTER_FIELDS)


def print_batch(
    db: Database,
    out: Path,
    agency: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    *,
    pdf: Path | None = None,
) -> list[StoredLetter]:
    """Merge issued letters (of an agency, issued between two local dates) into one .docx.

    The bundle is made from the issued files, each checked against its SHA-256 first: what
    was issued is what is printed. With ``pdf``, LibreOffice then converts the bundle to that
    file; whether it is installed is checked before any work.
    """
    if pdf is not None:
        converter()  # missing: says what to install
    chosen = [
        letter
        for letter in list_letters(db, LetterStatus.ISSUED, agency)
        if letter.issued_at is not None
        and (day_from is None or local(letter.issued_at).date() >= day_from)
        and (day_to is None or local(letter.issued_at).date() <= day_to)
    ]
    if not chosen:
        raise NothingToPrintError()
    for letter in chosen:
        problem = _problem(letter)
        if problem:
            raise LetterFileError(str(letter.path), problem)
    merge_letters([Path(letter.path or "") for letter in chosen], out)
    if pdf is not None:
        to_pdf(out, pdf)
    return chosen
