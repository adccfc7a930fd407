"""`tthc letters …`: drafts, issuing (number, extension, .docx), refusals that change nothing,
late letters, listing, verification, template checks and print bundles (issue 5).

HS-1 is received Wed 04/03/2026 09:00 with 3 working days: due Mon 09/03 09:00, apology
deadline Fri 06/03. The clock stays at Fri 27/11/2026 10:00 unless a test moves it.
"""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path
from typing import Any

import docx
import pytest

from tests.backends import Ledger
from tests.conftest import Runner, fails, ok, show_json
from tests.search.test_upgrade import migrate
from tests.workflow.conftest import (
    AG_A,
    AG_B,
    APPLICANT,
    P2,
    SetNow,
    counts,
    issue_json,
    query,
    receive,
    sweep_json,
)
from tthc_tracker.config import shipped_dir
from tthc_tracker.documents.letters import TemplateError
from tthc_tracker.services import letters as letters_service
from tthc_tracker.storage.db import make_engine

REASON = "Hồ sơ cần xác minh thêm tại Công an xã"
ISSUE = ("--reason", REASON, "--new-due", "2026-03-12 09:00", "--at", "2026-03-06 10:00")


def document_text(path: Path) -> str:
    """Every paragraph of a .docx, the table cells included, one per line."""
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


def letter_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "letters").rglob("*") if p.is_file())


def state(ledger_db: Ledger) -> tuple[Any, ...]:
    """What a refused issue must leave untouched."""
    return (
        query(ledger_db, "SELECT * FROM letter ORDER BY id"),
        query(ledger_db, "SELECT * FROM letter_counter"),
        query(ledger_db, "SELECT id, due_at, original_due_at, extended, status FROM dossier"),
        counts(ledger_db),
    )


# --- issuing ---------------------------------------------------------------------------


def test_issue_numbers_extends_and_writes_the_letter(
    ledger: Runner, env: Path, set_now: SetNow
) -> None:
    receive(ledger, "HS-1")
    set_now("2026-03-06 10:00")  # entered the day it bears
    data = issue_json(ledger, "HS-1", *ISSUE)
    assert set(data) == {"number", "path", "dossier", "new_due_at", "late"}
    assert data["number"] == "01/PXL"
    assert data["dossier"] == "HS-1"
    assert data["new_due_at"] == "2026-03-12T09:00:00+07:00"
    assert data["late"] is False
    path = Path(data["path"])
    assert path.is_file()
    assert path.parent == env / "letters" / AG_A / "2026"
    dossier = show_json(ledger, "HS-1")
    assert dossier["due_at"] == "2026-03-12T09:00:00+07:00"
    assert dossier["original_due_at"] == "2026-03-09T09:00:00+07:00"
    assert dossier["extended"] is True
    extended = [e for e in dossier["events"] if e["kind"] == "extended"]
    assert len(extended) == 1
    text = document_text(path)
    for expected in ("Số: 01/PXL", APPLICANT, "HS-1", REASON, "Đăng ký khai sinh"):
        assert expected in text, expected
    assert "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "09 giờ 00, ngày 09 tháng 3 năm 2026" in text  # the original return time
    assert "09 giờ 00, ngày 12 tháng 3 năm 2026" in text  # the new one
    assert "Thoại Giang, ngày 06 tháng 3 năm 2026" in text


def test_issue_turns_the_sweeps_draft_into_the_issued_letter(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    assert sweep_json(ledger, "2026-03-06 00:30")["drafts_created"] == 1
    [draft] = json.loads(ok(ledger("letters", "list", "--json")).out)
    assert (draft["status"], draft["number"], draft["apology_deadline"]) == (
        "draft",
        None,
        "2026-03-06",
    )
    issue_json(ledger, "HS-1", *ISSUE)
    [letter] = json.loads(ok(ledger("letters", "list", "--json")).out)
    assert (letter["status"], letter["number"], letter["reason"]) == ("issued", "01/PXL", REASON)
    # Once issued, the sweep neither flags it at risk nor drafts again.
    data = sweep_json(ledger, "2026-03-11 00:30")
    assert (data["at_risk"], data["drafts_created"]) == ([], 0)


def test_letters_draft_command(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    assert "Đã lập dự thảo" in ok(ledger("letters", "draft", "HS-1")).out
    assert "đã có văn bản xin lỗi" in ok(ledger("letters", "draft", "HS-1")).out
    assert len(json.loads(ok(ledger("letters", "list", "--status", "draft", "--json")).out)) == 1
    fails(ledger("letters", "draft", "KHONG-CO"), "KHONG-CO")


def test_numbers_per_agency_and_year_with_the_agency_suffix(
    ledger: Runner, set_now: SetNow
) -> None:
    for code in ("HS-1", "HS-2"):
        receive(ledger, code)
    receive(ledger, "HS-B", agency=AG_B)
    assert issue_json(ledger, "HS-1", *ISSUE)["number"] == "01/PXL"
    assert issue_json(ledger, "HS-2", *ISSUE)["number"] == "02/PXL"
    assert issue_json(ledger, "HS-B", *ISSUE)["number"] == "01/HCC-HCTH"
    # A new year starts again at 01 (Mon 04/01/2027 09:00 + 3 working days = Thu 07/01).
    set_now("2027-01-20 10:00")
    receive(ledger, "HS-2027", "2027-01-04 09:00")
    data = issue_json(
        ledger, "HS-2027", "--reason", "Chờ ý kiến", "--new-due", "2027-01-12 09:00",
        "--at", "2027-01-06 10:00",
    )  # fmt: skip
    assert data["number"] == "01/PXL"
    assert Path(data["path"]).parent.name == "2027"
    numbers = json.loads(ok(ledger("letters", "show", "01/PXL", "--agency", AG_A, "--json")).out)
    assert sorted(n["year"] for n in numbers) == [2026, 2027]


def test_the_cong_van_template_of_an_agency(ledger: Runner) -> None:
    receive(ledger, "HS-B", agency=AG_B)
    text = document_text(Path(issue_json(ledger, "HS-B", *ISSUE)["path"]))
    assert "Số: 01/HCC-HCTH" in text
    assert "V/v xin lỗi đối với hồ sơ giải quyết quá hạn" in text
    assert REASON in text and "HS-B" in text


def test_a_late_letter_is_still_issued_and_marked_late(ledger: Runner, set_now: SetNow) -> None:
    receive(ledger, "HS-ON")
    receive(ledger, "HS-LATE")
    set_now("2026-03-06 16:59")
    on_time = issue_json(
        ledger, "HS-ON", "--reason", "x", "--new-due", "2026-03-12 09:00",
        "--at", "2026-03-06 16:59",
    )  # fmt: skip
    assert on_time["late"] is False  # the last minute of the apology deadline date
    set_now("2026-03-07 08:00")
    result = ok(
        ledger(
            "letters", "issue", "HS-LATE", "--reason", REASON,
            "--new-due", "2026-03-12 09:00", "--at", "2026-03-07 08:00",
        )
    )  # fmt: skip
    assert "muộn" in result.out and "06/03/2026" in result.out
    [late] = json.loads(ok(ledger("letters", "show", "02/PXL", "--agency", AG_A, "--json")).out)
    assert (late["late"], late["dossier"], late["apology_deadline"]) == (
        True,
        "HS-LATE",
        "2026-03-06",
    )
    assert show_json(ledger, "HS-LATE")["due_at"] == "2026-03-12T09:00:00+07:00"


def test_a_letter_after_the_due_time_is_late_and_json_says_so(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    data = issue_json(
        ledger, "HS-1", "--reason", "x", "--new-due", "2026-03-13 09:00",
        "--at", "2026-03-10 10:00",
    )  # fmt: skip
    assert data["late"] is True and data["number"] == "01/PXL"


def test_a_letter_entered_after_its_deadline_is_late_whatever_date_it_bears(
    ledger: Runner, set_now: SetNow, env: Path
) -> None:
    """A letter dated 06/03 (the apology deadline) but entered on 10/03 is a late apology:
    the ledger vouches only for when it learnt of it; both dates are kept and shown."""
    receive(ledger, "HS-1")
    set_now("2026-03-10 10:00")
    result = ok(ledger("letters", "issue", "HS-1", *ISSUE))
    assert "văn bản ghi ngày 06/03/2026 nhưng được vào sổ ngày 10/03/2026" in result.out
    assert "xin lỗi muộn" in result.out
    [letter] = json.loads(ok(ledger("letters", "list", "--json")).out)
    assert (letter["late"], letter["issued_at"], letter["recorded_at"]) == (
        True,
        "2026-03-06T10:00:00+07:00",
        "2026-03-10T10:00:00+07:00",
    )
    shown = ok(ledger("letters", "show", "01/PXL", "--agency", AG_A)).out
    assert "(xin lỗi muộn)" in shown and "Vào sổ: 10/03/2026 10:00" in shown
    # the letter itself bears the date it was signed; the citizen's notice is in today's folder
    assert "ngày 06 tháng 3 năm 2026" in document_text(Path(letter["path"]))
    [eml] = (env / "outbox").rglob("*.eml")
    assert eml.parent.parent.name == "2026-03-10"
    # no e-mail address: no "To", and a first line telling the clerk how to reach the citizen
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"] is None
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().startswith(
        "[Cho cán bộ một cửa: công dân chưa có thư điện tử; điện thoại: —; địa chỉ: —."
    )


def test_a_letter_entered_late_but_within_its_deadline_is_on_time(
    ledger: Runner, set_now: SetNow
) -> None:
    receive(ledger, "HS-1")
    set_now("2026-03-06 16:00")
    result = ok(ledger("letters", "issue", "HS-1", *ISSUE[:4], "--at", "2026-03-05 10:00"))
    assert "ghi ngày 05/03/2026 nhưng được vào sổ ngày 06/03/2026" in result.out
    assert "muộn" not in result.out
    [letter] = json.loads(ok(ledger("letters", "list", "--json")).out)
    assert letter["late"] is False
    shown = ok(ledger("letters", "show", "01/PXL", "--agency", AG_A)).out
    assert "Vào sổ: 06/03/2026 16:00" in shown
    # entered the day it bears: no entry line
    receive(ledger, "HS-2")
    issue_json(ledger, "HS-2", *ISSUE[:4], "--at", "2026-03-06 15:00")
    assert "Vào sổ" not in ok(ledger("letters", "show", "02/PXL", "--agency", AG_A)).out


def test_a_letter_may_not_bear_a_date_before_the_previous_number(
    ledger: Runner, ledger_db: Ledger, env: Path
) -> None:
    """Outgoing numbers follow the dates of the register: 02 may not be dated before 01."""
    for code in ("HS-1", "HS-2", "HS-B"):
        receive(ledger, code, agency=AG_B if code == "HS-B" else AG_A)
    issue_json(ledger, "HS-1", *ISSUE)  # 01/PXL dated 06/03/2026
    before, files = state(ledger_db), letter_files(env)
    fails(
        ledger("letters", "issue", "HS-2", *ISSUE[:4], "--at", "2026-03-05 10:00"),
        "--at", "05/03/2026", "01/PXL", "06/03/2026",
    )  # fmt: skip
    assert (state(ledger_db), letter_files(env)) == (before, files)
    # the same day is fine, and another agency's register is its own
    assert issue_json(ledger, "HS-2", *ISSUE[:4], "--at", "2026-03-06 08:00")["number"] == "02/PXL"
    data = issue_json(ledger, "HS-B", *ISSUE[:4], "--at", "2026-03-04 10:00")
    assert data["number"] == "01/HCC-HCTH"


def test_an_odd_dossier_code_gives_a_safe_file_name(ledger: Runner, env: Path) -> None:
    code = 'HS/2026/../x:*?<>|"\\'
    receive(ledger, code)
    path = Path(issue_json(ledger, code, *ISSUE)["path"])
    assert path.parent == env / "letters" / AG_A / "2026"
    assert path.is_file() and path.suffix == ".docx"
    assert not set(path.name) & set('/\\:*?<>|"')
    assert code in document_text(path)


# --- refusals: exit 1, Vietnamese, nothing changed ---------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--reason", "x", "--new-due", "2026-03-09 09:00"), "phải sau hạn hiện tại"),
        (("--reason", "x", "--new-due", "2026-03-06 09:00"), "phải sau hạn hiện tại"),
        (("--reason", "x", "--new-due", "2026-03-15 09:00"), "không nằm trong giờ làm việc"),
        (("--reason", "x", "--new-due", "2026-03-12 12:00"), "không nằm trong giờ làm việc"),
        (("--reason", "", "--new-due", "2026-03-12 09:00"), "--reason"),
        (("--reason", "   ", "--new-due", "2026-03-12 09:00"), "không được để trống"),
    ],
)
def test_refusals_change_nothing(
    ledger: Runner, ledger_db: Ledger, env: Path, args: tuple[str, ...], fragment: str
) -> None:
    receive(ledger, "HS-1")
    before = state(ledger_db)
    fails(ledger("letters", "issue", "HS-1", *args, "--at", "2026-03-06 10:00"), fragment)
    assert state(ledger_db) == before
    assert letter_files(env) == []
    assert issue_json(ledger, "HS-1", *ISSUE)["number"] == "01/PXL"


def test_a_second_letter_for_the_same_dossier_is_refused(
    ledger: Runner, ledger_db: Ledger, env: Path
) -> None:
    receive(ledger, "HS-1")
    receive(ledger, "HS-2")
    issue_json(ledger, "HS-1", *ISSUE)
    before, files = state(ledger_db), letter_files(env)
    fails(
        ledger("letters", "issue", "HS-1", "--reason", "lần hai", "--new-due", "2026-03-13 09:00",
               "--at", "2026-03-10 10:00"),
        "01/PXL", "đã tồn tại",
    )  # fmt: skip
    assert (state(ledger_db), letter_files(env)) == (before, files)
    assert issue_json(ledger, "HS-2", *ISSUE)["number"] == "02/PXL"


def test_a_completed_dossier_is_refused(ledger: Runner, ledger_db: Ledger, env: Path) -> None:
    receive(ledger, "HS-1")
    ok(ledger("dossier", "complete", "HS-1", "--at", "2026-03-05 10:00"))
    before = state(ledger_db)
    fails(ledger("letters", "issue", "HS-1", *ISSUE), "HS-1")
    assert state(ledger_db) == before and letter_files(env) == []
    fails(ledger("letters", "draft", "HS-1"), "HS-1")


def test_a_dossier_finished_late_without_a_letter_still_gets_its_late_letter(
    ledger: Runner, ledger_db: Ledger, set_now: SetNow
) -> None:
    """No late dossier without its letter (domain.md §2): finished after the legal due time
    (Mon 09/03 09:00) and never apologised, it gets a late letter, with no extension; the
    letter states the return time (or the completion time before the return)."""
    receive(ledger, "HS-1")
    receive(ledger, "HS-2")
    for code in ("HS-1", "HS-2"):
        ok(ledger("dossier", "complete", code, "--at", "2026-03-10 10:00"))
    ok(ledger("dossier", "return", "HS-1", "--at", "2026-03-11 09:00"))
    assert sorted(sweep_json(ledger, "2026-03-11 10:00")["late_without_apology"]) == [
        "HS-1",
        "HS-2",
    ]
    set_now("2026-03-11 15:00")
    before = state(ledger_db)
    issuing = ("letters", "issue", "--reason", REASON)
    fails(ledger(*issuing[:2], "HS-1", *issuing[2:], "--new-due", "2026-03-12 09:00"),
          "đã trả kết quả lúc 11/03/2026 09:00", '--new-due "11/03/2026 09:00"')  # fmt: skip
    fails(ledger(*issuing[:2], "HS-2", *issuing[2:], "--new-due", "2026-03-10 09:00"),
          "--new-due", "lúc hoàn thành", "10/03/2026 10:00")  # fmt: skip
    fails(ledger(*issuing[:2], "HS-2", "--reason", " "), "--reason")
    assert state(ledger_db) == before
    returned = issue_json(ledger, "HS-1", "--reason", REASON)
    assert (returned["number"], returned["late"]) == ("01/PXL", True)
    assert returned["new_due_at"] == "2026-03-11T09:00:00+07:00"
    completed = issue_json(ledger, "HS-2", "--reason", REASON)
    assert completed["new_due_at"] == "2026-03-10T10:00:00+07:00"
    text = document_text(Path(returned["path"]))
    assert REASON in text and "09 giờ 00, ngày 09 tháng 3 năm 2026" in text
    # a letter written once the result was returned (or ready) promises no past time
    assert "đã trả kết quả giải quyết hồ sơ cho Ông/Bà vào 09 giờ 00, ngày 11 tháng 3" in text
    assert "sẽ trả" not in text
    ready = document_text(Path(completed["path"]))
    assert "đã giải quyết xong hồ sơ; kết quả được trả cho Ông/Bà từ 10 giờ 00, ngày 10" in ready
    assert "sẽ trả" not in ready
    for code in ("HS-1", "HS-2"):
        dossier = show_json(ledger, code)
        assert (dossier["extended"], dossier["due_at"]) == (False, "2026-03-09T09:00:00+07:00")
    assert sweep_json(ledger, "2026-03-11 15:00")["late_without_apology"] == []
    march = json.loads(ok(ledger("stats", "range", "--from", "2026-03-01", "--to",
                                 "2026-03-31", "--json")).out)["total"]  # fmt: skip
    assert (march["late_with_apology"], march["apology_late"]) == (2, 2)
    assert march["late_without_apology"] == 0


def test_an_open_dossier_needs_the_new_time(ledger: Runner, ledger_db: Ledger) -> None:
    receive(ledger, "HS-1")
    before = state(ledger_db)
    fails(ledger("letters", "issue", "HS-1", "--reason", REASON), "--new-due", "để trống")
    assert state(ledger_db) == before


def test_a_failing_render_consumes_no_number_and_leaves_no_file(
    ledger: Runner, ledger_db: Ledger, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(ledger, "HS-1")
    before = state(ledger_db)
    real = letters_service.render_letter

    def broken(template: Path, fields: object, out: Path) -> str:
        raise TemplateError(template, "thiếu trường “foo” trong dữ liệu")

    monkeypatch.setattr(letters_service, "render_letter", broken)
    fails(ledger("letters", "issue", "HS-1", *ISSUE), "foo")
    assert state(ledger_db) == before and letter_files(env) == []
    monkeypatch.setattr(letters_service, "render_letter", real)
    assert issue_json(ledger, "HS-1", *ISSUE)["number"] == "01/PXL"


def test_a_failure_after_the_file_is_written_removes_it(
    ledger: Runner, ledger_db: Ledger, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(ledger, "HS-1")
    before = state(ledger_db)

    def crash(*args: object, **kwargs: object) -> None:
        assert letter_files(env), "the .docx is written before the letter is stored"
        raise OSError("đĩa đầy")

    monkeypatch.setattr(letters_service, "_store", crash)
    fails(ledger("letters", "issue", "HS-1", *ISSUE), "Không đọc/ghi được tệp: đĩa đầy")
    assert state(ledger_db) == before and letter_files(env) == []


def test_an_agency_template_with_an_unknown_field_fails_cleanly(
    ledger: Runner, ledger_db: Ledger, env: Path, tmp_path: Path
) -> None:
    template = tmp_path / "mau-rieng.docx"
    document = docx.Document()
    document.add_paragraph("Số: {{ so }} — {{ foo }}")
    document.save(str(template))
    # refused when the agency is added: the letter is urgent when a template fails
    adding = ("agency", "add", "XA-C", "--name", "UBND XÃ C", "--letter-template")
    fails(ledger(*adding, str(template)), "--letter-template", "foo")
    fails(ledger(*adding, str(tmp_path / "khong-co.docx")), "khong-co.docx")
    (tmp_path / "ghi-chu.docx").write_text("không phải Word", encoding="utf-8")
    fails(ledger(*adding, str(tmp_path / "ghi-chu.docx")), "không phải tệp Word .docx")
    # a template edited afterwards still fails cleanly when a letter is issued
    good = docx.Document()
    good.add_paragraph("Số: {{ so }}")
    good.save(str(template))
    ok(ledger(*adding, str(template)))
    document.save(str(template))
    receive(ledger, "HS-C", agency="XA-C")
    before = state(ledger_db)
    fails(ledger("letters", "issue", "HS-C", *ISSUE), "foo")
    assert state(ledger_db) == before and letter_files(env) == []


# --- list, show, verify ----------------------------------------------------------------


def test_the_list_drops_drafts_no_longer_wanted_and_shows_current_times(
    ledger: Runner,
) -> None:
    """A sweep's draft stays a working item: once the dossier is withdrawn, stopped, refused
    or finished in time it needs no letter; after a calendar edit its times are the new ones.
    A dossier finished late keeps its draft (it still needs its letter), so does one
    rescheduled with `dossier extend` and no letter, finished in its new time."""
    for code in ("HS-W", "HS-S", "HS-IN-TIME", "HS-LATE", "HS-OPEN", "HS-EXT"):
        receive(ledger, code)
    assert sweep_json(ledger, "2026-03-06 00:30")["drafts_created"] == 6
    extend = ("--new-due", "2026-03-12 09:00", "--reason", "Chờ", "--at", "2026-03-06 08:00")
    ok(ledger("dossier", "extend", "HS-EXT", *extend))
    ok(ledger("dossier", "complete", "HS-EXT", "--at", "2026-03-11 09:00"))
    ok(ledger("dossier", "withdraw", "HS-W", "--at", "2026-03-06 08:00"))
    ok(ledger("dossier", "stop", "HS-S", "--at", "2026-03-06 08:00", "--reason", "Đề nghị"))
    ok(ledger("dossier", "complete", "HS-IN-TIME", "--at", "2026-03-06 09:00"))
    ok(ledger("dossier", "complete", "HS-LATE", "--at", "2026-03-10 09:00"))
    ok(ledger("calendar", "add-off", "2026-03-09", "--reason", "Nghỉ đột xuất"))  # Mon off
    drafts = json.loads(ok(ledger("letters", "list", "--json")).out)
    by_code = {d["dossier"]: d for d in drafts}
    assert sorted(by_code) == ["HS-EXT", "HS-LATE", "HS-OPEN"]
    # HS-OPEN: Mon 09/03 off, so due Tue 10/03 09:00; apology deadline Fri 06/03 still
    assert by_code["HS-OPEN"]["original_due_at"] == "2026-03-10T09:00:00+07:00"
    assert by_code["HS-OPEN"]["apology_deadline"] == "2026-03-06"
    assert "Tổng: 3 văn bản." in ok(ledger("letters", "list")).out
    # a dossier that needs no letter is refused as such, --new-due or not
    for code, status in (("HS-W", "Rút hồ sơ"), ("HS-IN-TIME", "Đã xử lý xong")):
        for extra in ((), ("--new-due", "2026-03-12 09:00")):
            fails(
                ledger("letters", "issue", code, "--reason", "x", *extra),
                code,
                status,
                "không thể “ban hành văn bản xin lỗi”",
            )
    issued = issue_json(ledger, "HS-EXT", "--reason", "Chờ", "--new-due", "2026-03-12 09:00")
    assert issued["dossier"] == "HS-EXT"


def test_list_filters_and_show(ledger: Runner) -> None:
    for code, agency in (("HS-1", AG_A), ("HS-2", AG_A), ("HS-B", AG_B)):
        receive(ledger, code, agency=agency)
    sweep_json(ledger, "2026-03-06 00:30")  # three drafts
    issue_json(ledger, "HS-1", *ISSUE)
    every = json.loads(ok(ledger("letters", "list", "--json")).out)
    assert sorted(x["dossier"] for x in every) == ["HS-1", "HS-2", "HS-B"]
    drafts = json.loads(ok(ledger("letters", "list", "--status", "draft", "--json")).out)
    assert sorted(x["dossier"] for x in drafts) == ["HS-2", "HS-B"]
    issued = json.loads(ok(ledger("letters", "list", "--status", "issued", "--json")).out)
    assert [(x["dossier"], x["number"]) for x in issued] == [("HS-1", "01/PXL")]
    of_b = json.loads(ok(ledger("letters", "list", "--agency", AG_B, "--json")).out)
    assert [(x["dossier"], x["status"]) for x in of_b] == [("HS-B", "draft")]
    text = ok(ledger("letters", "list")).out
    assert "01/PXL" in text and "Tổng: 3 văn bản." in text
    fails(ledger("letters", "list", "--status", "sent"), "--status")
    fails(ledger("letters", "list", "--agency", "KHONG-CO"), "KHONG-CO")
    [shown] = json.loads(ok(ledger("letters", "show", "01/PXL", "--agency", AG_A, "--json")).out)
    assert (shown["dossier"], shown["status"], shown["issued_by"]) == (
        "HS-1",
        "issued",
        "test-clerk",
    )
    assert shown["sha256"] and shown["original_due_at"] == "2026-03-09T09:00:00+07:00"
    text = ok(ledger("letters", "show", "01/PXL", "--agency", AG_A)).out
    assert text.startswith(f"Văn bản 01/PXL — {AG_A}, năm 2026")
    assert "  Hồ sơ: HS-1\n" in text
    assert "  Hạn theo quy định: 09/03/2026 09:00\n" in text
    assert f"  SHA-256: {shown['sha256']}" in text
    fails(ledger("letters", "show", "01/PXL", "--agency", AG_B), "01/PXL")


def test_verify_reports_a_tampered_and_a_deleted_file(ledger: Runner) -> None:
    receive(ledger, "HS-1")
    receive(ledger, "HS-2")
    first = Path(issue_json(ledger, "HS-1", *ISSUE)["path"])
    second = Path(issue_json(ledger, "HS-2", *ISSUE)["path"])
    assert "0 có vấn đề" in ok(ledger("letters", "verify")).out
    first.write_bytes(first.read_bytes() + b"\0")
    result = ledger("letters", "verify")
    assert result.code == 1 and "01/PXL" in result.out and "SHA-256" in result.out
    second.unlink()
    report = json.loads(ledger("letters", "verify", "--json").out)
    assert [(r["number"], r["ok"], r["problem"]) for r in report] == [
        ("01/PXL", False, "tệp đã bị sửa (mã băm SHA-256 khác)"),
        ("02/PXL", False, "thiếu tệp"),
    ]
    assert ledger("letters", "verify", "--json").code == 1
    # a batch to print is refused, naming the letter and what is wrong with it
    fails(ledger("letters", "print", "-o", str(first.parent / "in.docx")), "Văn bản xin lỗi",
          str(first), "tệp đã bị sửa", "letters verify")  # fmt: skip


# --- templates and printing -------------------------------------------------------------


@pytest.mark.parametrize("name", ["tt03-2025", "tt01-2018", "cong-van"])
def test_check_template_accepts_the_shipped_templates(ledger: Runner, name: str) -> None:
    path = shipped_dir("templates") / f"{name}.docx"
    assert "đúng và đủ" in ok(ledger("letters", "check-template", str(path))).out


def test_check_template_reports_an_unknown_field(ledger: Runner, tmp_path: Path) -> None:
    template = tmp_path / "sai.docx"
    document = docx.Document()
    document.add_paragraph("Kính gửi: {{ kinh_gui }}; mã hồ sơ {{ ma_ho_so }}; {{ foo }}")
    document.save(str(template))
    result = ledger("letters", "check-template", str(template))
    assert result.code == 1
    assert "foo" in result.out and "không có trong dữ liệu" in result.out
    assert "ly_do" in result.out  # known fields the template leaves out are listed too
    fails(ledger("letters", "check-template", str(tmp_path / "khong-co.docx")), "khong-co.docx")


def test_print_merges_the_issued_letters(ledger: Runner, env: Path) -> None:
    codes = ["HS-1", "HS-2", "HS-3"]
    for code in codes:
        receive(ledger, code)
        issue_json(ledger, code, *ISSUE)
    receive(ledger, "HS-DRAFT")
    ok(ledger("letters", "draft", "HS-DRAFT"))
    out = env / "in" / "bo.docx"
    assert "Đã gộp 3 văn bản" in ok(ledger("letters", "print", "-o", str(out))).out
    text = document_text(out)
    for number, code in zip(("01/PXL", "02/PXL", "03/PXL"), codes, strict=True):
        assert f"Số: {number}" in text and code in text
    assert "HS-DRAFT" not in text
    fails(ledger("letters", "print", "--agency", AG_B, "-o", str(env / "b.docx")))
    assert not (env / "b.docx").exists()
    dated = env / "ngay.docx"
    ok(ledger("letters", "print", "--from", "2026-03-06", "--to", "2026-03-06", "-o", str(dated)))
    fails(ledger("letters", "print", "--from", "2026-03-07", "-o", str(env / "none.docx")))


def test_receipt_and_procedure_stay_once_a_new_return_time_was_promised(
    ledger: Runner, set_now: SetNow
) -> None:
    """An issued letter or an extension told the citizen a new time counted from the receipt
    and the procedure; correcting those afterwards is refused, the typed fields still are not."""
    receive(ledger, "HS-1")
    receive(ledger, "HS-EXT")
    set_now("2026-03-06 10:00")
    ok(ledger("letters", "issue", "HS-1", *ISSUE))
    extend = ("--new-due", "2026-03-12 09:00", "--reason", "Chờ", "--at", "2026-03-06 10:00")
    ok(ledger("dossier", "extend", "HS-EXT", *extend))
    why = ("--reason", "Ghi nhầm")
    for code, fragment in (("HS-1", "phiếu xin lỗi số 01/PXL"), ("HS-EXT", "đã được gia hạn")):
        before = show_json(ledger, code)
        for option, value in (("--received", "2026-03-04 08:00"), ("--procedure", P2)):
            fails(ledger("dossier", "correct", code, option, value, *why), code, option, fragment)
        assert show_json(ledger, code) == before
        ok(ledger("dossier", "correct", code, "--phone", "0912345678", *why))
        assert show_json(ledger, code)["phone"] == "0912345678"


def test_migration_0010_keeps_the_recorded_times(
    ledger: Runner, ledger_db: Ledger, set_now: SetNow
) -> None:
    """Down to 0009 (a plain timestamp on PostgreSQL) and up again: the instant is the same."""
    receive(ledger, "HS-1")
    set_now("2026-03-10 10:00")
    ok(ledger("letters", "issue", "HS-1", *ISSUE))
    sql = "SELECT recorded_at FROM letter"
    [(before,)] = query(ledger_db, sql)
    engine = make_engine(ledger_db.url)
    try:
        migrate(engine, "0009", down=True)
        migrate(engine, "head")
    finally:
        engine.dispose()
    assert query(ledger_db, sql) == [(before,)]
    assert show_json(ledger, "HS-1")["events"]  # the ledger opens at head again
    [letter] = json.loads(ok(ledger("letters", "list", "--json")).out)
    assert letter["recorded_at"] == "2026-03-10T10:00:00+07:00"


def test_a_same_day_limit_can_still_be_apologised_for_in_time(
    ledger: Runner, set_now: SetNow
) -> None:
    """Received Mon 02/03/2026 09:00, due that day at 17:00: the day before the due date (Fri
    27/02) comes before the receipt, when no letter can be written; the receipt day is the
    deadline then, and a letter that day is on time."""
    ok(ledger("procedure", "add", "2.000815", "--name", "Chứng thực bản sao", "--field",
              "Chứng thực", "--limit", "Trong ngày"))  # fmt: skip
    receive(ledger, "HS-NGAY", "2026-03-02 09:00", procedure="2.000815")
    set_now("2026-03-02 10:00")
    letter = issue_json(ledger, "HS-NGAY", "--reason", "Chờ bản chính", "--new-due",
                        "2026-03-03 09:00", "--at", "2026-03-02 10:00")  # fmt: skip
    assert letter["late"] is False
    [shown] = json.loads(ok(ledger("letters", "list", "--json")).out)
    assert shown["apology_deadline"] == "2026-03-02"
