"""`tthc demo`: a realistic sample ledger built through the same services clerks use."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from tthc_tracker.domain.dossier import EventKind, Status
from tthc_tracker.domain.errors import ConfigError
from tthc_tracker.domain.letters import Honorific
from tthc_tracker.domain.limits import WORKING_DAY_SECONDS
from tthc_tracker.domain.times import local
from tthc_tracker.services import catalog, ledger, procedure_imports
from tthc_tracker.services import digest as digest_service
from tthc_tracker.services import letters as letters_service
from tthc_tracker.services import sweep as sweep_service
from tthc_tracker.services.calendars import Calendars
from tthc_tracker.services.digest import Delivery
from tthc_tracker.services.letters import Issued
from tthc_tracker.services.sweep import SweepResult
from tthc_tracker.storage.db import Database
from tthc_tracker.storage.seed_files import read_agencies

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
)
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thị Thu", "Đức", "Kim")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Giang",
    "Hà",
    "Hạnh",
    "Hùng",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
)
COMPANIES = (
    "Công ty TNHH Thương mại Thoại Sơn",
    "Công ty Cổ phần Nông sản Long Xuyên",
    "Hợp tác xã Lúa gạo Vĩnh Trạch",
    "Công ty TNHH Xây dựng Rạch Giá",
)
PAUSE_REASONS = (
    "Chờ kết quả đo đạc địa chính",
    "Chờ thực hiện nghĩa vụ tài chính",
    "Chờ ý kiến của cơ quan liên quan",
)
SUPPLEMENT_REASONS = (
    "Thiếu bản sao giấy tờ tùy thân",
    "Tờ khai chưa đủ chữ ký",
    "Thiếu sơ đồ vị trí thửa đất",
)


@dataclass
class DemoSummary:
    agencies: int = 0
    procedures: int = 0
    dossiers: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    extended: int = 0


def _dossier_code(agency: str, day: str, sequence: int) -> str:
    """TT 01/2018 style ``V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`` with a per-agency unit part."""
    unit = sum(map(ord, agency)) % 90 + 10
    return f"000.00.{unit:02d}.H01-{day}-{sequence:04d}"


PERSONAL_FIELDS = frozenset({"Hộ tịch", "Chứng thực", "Lý lịch tư pháp"})
"""Fields whose procedures only a person applies for (birth registration, …)."""


def _applicant(rng: random.Random, field: str) -> tuple[str, str]:
    if field not in PERSONAL_FIELDS and rng.random() < 0.15:
        return rng.choice(COMPANIES), "to-chuc"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", "ca-nhan"


def load_catalogue(db: Database, data_dir: Path, now: datetime) -> tuple[int, int]:
    agencies = read_agencies(data_dir)
    for row in agencies:
        catalog.add_agency(
            db,
            catalog.new_agency(
                row["code"],
                name=row["name"],
                parent=row["parent"],
                place=row["place"],
                signer_title=row["signer_title"],
                signer_name=row["signer_name"],
                letter_suffix=row["letter_suffix"] or "PXL",
                office_hours=row["office_hours"],
                email=row["email"],
                short_name=row.get("short_name", ""),
                letter_template=row.get("letter_template") or "tt03-2025",
            ),
            now,
        )
    source = procedure_imports.read_procedure_file(data_dir / "procedures.csv")
    done = procedure_imports.import_procedures(db, source, now=now)
    if done.errors:
        raise ConfigError(str(data_dir / "procedures.csv"), done.errors[0].message())
    return len(agencies), len(done.procedures)


def populate(
    db: Database,
    calendars: Calendars,
    data_dir: Path,
    now: datetime,
    actor: str,
    count: int = 300,
    seed: int = 2026,
) -> DemoSummary:
    """Sample agencies and procedures from ``data/``, then ``count`` dossiers over ~4 months."""
    rng = random.Random(seed)
    summary = DemoSummary()
    summary.agencies, summary.procedures = load_catalogue(db, data_dir, now)
    procedures = [p for p in catalog.list_procedures(db) if p.agency_code]
    calendar = calendars.base
    start = now - timedelta(days=120)
    span = int((now - start).total_seconds()) - 86400
    receipts = sorted(
        calendar.next_opening(start + timedelta(seconds=rng.randrange(span))) for _ in range(count)
    )
    daily: Counter[tuple[str, str]] = Counter()
    for received in receipts:
        if received >= now:
            continue
        procedure = rng.choice(procedures)
        agency = procedure.agency_code or ""
        day = local(received).strftime("%y%m%d")
        daily[(agency, day)] += 1
        applicant, kind = _applicant(rng, procedure.field)
        view = ledger.add_dossier(
            db,
            calendars,
            ledger.NewDossier(
                code=_dossier_code(agency, day, daily[(agency, day)]),
                procedure=procedure.code,
                agency=agency,
                applicant=applicant,
                applicant_kind=kind,
                received_at=received,
                channel=rng.choice(("truc-tiep", "truc-tuyen", "truc-tuyen", "buu-chinh")),
                id_number=f"0{rng.randrange(10**10, 10**11)}",
                phone=f"09{rng.randrange(10**8):08d}",
                receiving_agency="HCC-AG" if rng.random() < 0.3 else None,
            ),
            actor,
            received,
        )
        summary.dossiers += 1
        _play(db, calendars, view, rng, now, actor, summary)
    for status in Status:
        summary.statuses[status.value] += 0
    for view in ledger.list_dossiers(db, calendars, now):
        summary.statuses[view.dossier.status.value] += 1
    return summary


def _play(
    db: Database,
    calendars: Calendars,
    view: ledger.DossierView,
    rng: random.Random,
    now: datetime,
    actor: str,
    summary: DemoSummary,
) -> None:
    """Move one dossier through a plausible history, never past ``now``."""
    calendar = calendars.base
    code = view.dossier.code
    received = view.dossier.received_at
    actions: list[tuple[EventKind, datetime, str]] = []
    roll = rng.random()
    if roll < 0.06:
        ask = calendar.add_working(received, rng.randrange(1, 3 * WORKING_DAY_SECONDS // 2))
        back = calendar.add_working(ask, rng.randrange(1, 5) * WORKING_DAY_SECONDS)
        actions.append((EventKind.SUPPLEMENT_REQUESTED, ask, rng.choice(SUPPLEMENT_REASONS)))
        if rng.random() < 0.75:  # otherwise still awaited: past 15 days, the sweep flags it
            actions.append((EventKind.SUPPLEMENT_RECEIVED, back, ""))
    elif roll < 0.1:
        pause = calendar.add_working(received, rng.randrange(1, WORKING_DAY_SECONDS))
        resume = calendar.add_working(pause, rng.randrange(1, 4) * WORKING_DAY_SECONDS)
        actions += [
            (EventKind.PAUSED, pause, rng.choice(PAUSE_REASONS)),
            (EventKind.RESUMED, resume, ""),
        ]
    elif roll < 0.13:
        kind = rng.choice((EventKind.WITHDRAWN, EventKind.STOPPED, EventKind.REFUSED))
        actions.append(
            (
                kind,
                calendar.add_working(received, 3600),
                "Theo đề nghị của người nộp"
                if kind is not EventKind.REFUSED
                else "Hồ sơ không đủ điều kiện",
            )
        )
    for kind, at, reason in actions:
        if at > now:
            return
        view = ledger.transition(db, calendars, code, kind, at, reason, actor, at)
    if view.dossier.status is not Status.IN_PROGRESS:
        return
    _finish(db, calendars, view, rng, now, actor, summary)


def _finish(
    db: Database,
    calendars: Calendars,
    view: ledger.DossierView,
    rng: random.Random,
    now: datetime,
    actor: str,
    summary: DemoSummary,
) -> None:
    """Perhaps an extension, then completion early, on time or late, and the hand-over."""
    calendar = calendars.base
    code = view.dossier.code
    received, due = view.dossier.received_at, view.dossier.due_at
    last_at = view.events[-1].event.at
    total = calendar.working_between(received, due)
    outcome = rng.random()
    if outcome < 0.08 and total > 3600:
        letter_at = calendar.add_working(due, -min(total // 2, WORKING_DAY_SECONDS))
        new_due = calendar.add_working(due, rng.randrange(1, 4) * WORKING_DAY_SECONDS)
        letter_at = max(letter_at, last_at)
        if letter_at <= now and letter_at < due:
            ledger.extend(
                db,
                calendars,
                code,
                new_due,
                "Cần xác minh thêm thông tin với cơ quan liên quan",
                letter_at,
                actor,
                letter_at,
            )
            summary.extended += 1
            due, last_at = new_due, letter_at
    if outcome < 0.55:
        finish = calendar.add_working(received, rng.randrange(max(total // 3, 1), total + 1))
    elif outcome < 0.75:
        finish = calendar.add_working(due, -rng.randrange(0, min(total, 3 * 3600) + 1))
    elif outcome < 0.9:
        finish = calendar.add_working(due, rng.randrange(1800, 3 * WORKING_DAY_SECONDS))
    else:
        return  # still being handled
    finish = max(finish, last_at + timedelta(minutes=5))
    if finish > now:
        return
    ledger.transition(db, calendars, code, EventKind.COMPLETED, finish, "", actor, finish)
    handed = calendar.add_working(finish, rng.randrange(600, WORKING_DAY_SECONDS))
    if handed <= now and rng.random() < 0.85:
        ledger.transition(db, calendars, code, EventKind.RETURNED, handed, "", actor, handed)


@dataclass
class WorkflowSummary:
    sweep: SweepResult
    letters: list[Issued]
    printed: Path | None
    digests: list[Delivery]


def run_workflow(
    db: Database,
    calendars: Calendars,
    dirs: tuple[Path, Path, Path],
    now: datetime,
    actor: str,
    letters: int = 5,
) -> WorkflowSummary:
    """The day of a one-stop unit: the sweep, apology letters for the dossiers at risk (on
    time) and some overdue ones (late apologies), one printable batch, and the morning
    digests. ``dirs``: templates, letters, outbox."""
    templates_dir, letters_dir, outbox = dirs
    result = sweep_service.sweep(db, calendars, now, actor, lambda: now)
    issued = []
    # At-risk dossiers get their letter in time; overdue ones a late one (xin lỗi muộn).
    for code in [*result.at_risk[:letters], *result.overdue[: max(letters // 2, 1)]]:
        view = ledger.show_dossier(db, calendars, code, now)
        if view.dossier.extended:  # rescheduled once already: the law allows no second time
            continue
        start = max(view.dossier.due_at, now)
        new_due = calendars.base.add_working(start, 2 * WORKING_DAY_SECONDS)
        issued.append(
            letters_service.issue(
                db,
                calendars,
                templates_dir,
                letters_dir,
                code,
                reason="Đang chờ ý kiến thẩm định của cơ quan có liên quan",
                new_due=new_due,
                at=now,
                honorific=Honorific.UNKNOWN,
                actor=actor,
                now=now,
                outbox=outbox,
            )
        )
    printed = None
    if issued:
        printed = letters_dir / f"in-hang-loat-{local(now):%Y%m%d}.docx"
        letters_service.print_batch(db, printed, day_from=local(now).date())
    deliveries = digest_service.deliver(digest_service.build(db, calendars, now), outbox, None)
    return WorkflowSummary(result, issued, printed, deliveries)
