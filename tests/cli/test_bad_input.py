"""Bad input: one Vietnamese line on stderr naming the field and value, exit 1, nothing written."""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest

from tests.backends import Ledger, Ledgers
from tests.conftest import (
    AGENCY_DEFAULT,
    P_3_DAYS,
    Runner,
    add_dossier,
    build_template,
    fails,
    ok,
    show_json,
    snapshot,
)

OPEN = "H48-260302-0001"  # received Mon 02/03/2026 09:00, in progress
WITHDRAWN = "H48-260302-0002"
SUPPLEMENTED = "H48-260302-0003"  # one supplement request already made and answered
AWAITING = "H48-260302-0004"  # awaiting its supplement


def _build_ledger(run: Runner) -> None:
    for code in (OPEN, WITHDRAWN, SUPPLEMENTED, AWAITING):
        add_dossier(run, code, "02/03/2026 09:00")
    ok(run("dossier", "withdraw", WITHDRAWN, "--at", "03/03/2026 09:00"))
    reason = ("--reason", "Thiếu bản sao giấy khai sinh")
    for code in (SUPPLEMENTED, AWAITING):
        ok(run("dossier", "supplement-request", code, "--at", "03/03/2026 09:00", *reason))
    ok(run("dossier", "supplement-received", SUPPLEMENTED, "--at", "04/03/2026 09:00"))


@pytest.fixture(scope="module")
def ledger_template(
    tmp_path_factory: pytest.TempPathFactory, backend: Ledgers, seeded_template: Ledger
) -> Ledger:
    return build_template(tmp_path_factory, backend, seeded_template, _build_ledger)


@pytest.fixture
def ledger(run: Runner, backend: Ledgers, ledger_db: Ledger, ledger_template: Ledger) -> Runner:
    """Four dossiers received Mon 02/03/2026 09:00: open, withdrawn, supplemented, awaiting."""
    backend.copy(ledger_template, ledger_db)
    return run


def new(code: str = "NEW-1", **options: str) -> tuple[str, ...]:
    """``dossier add`` arguments: valid ones, with ``options`` replacing or adding some."""
    values = {
        "--procedure": P_3_DAYS,
        "--agency": AGENCY_DEFAULT,
        "--applicant": "Nguyễn Văn Đức",
        "--received": "02/03/2026 09:00",
        "--channel": "truc-tiep",
    }
    values.update({f"--{k.replace('_', '-')}": v for k, v in options.items()})
    args: list[str] = ["dossier", "add", code]
    for name, value in values.items():
        if value != "<omit>":
            args += [name, value]
    return tuple(args)


CASES = {
    "unknown procedure": (new(procedure="9.999999"), ("Thủ tục", "9.999999", "không tồn tại")),
    "unknown agency": (new(agency="KHONG-CO"), ("Cơ quan", "KHONG-CO", "không tồn tại")),
    "unknown receiving agency": (new(receiving_agency="KHONG-CO"), ("Cơ quan", "KHONG-CO")),
    "duplicate dossier code": (new(OPEN), ("Hồ sơ", OPEN, "đã tồn tại")),
    "unparseable time": (new(received="32/13/2026 25:00"), ("--received", "32/13/2026 25:00")),
    "time in words": (new(received="hôm qua"), ("--received", "hôm qua", "DD/MM/YYYY HH:MM")),
    "receipt in the future": (
        new(received="28/11/2026 09:00"),
        ("--received", "28/11/2026 09:00", "muộn hơn thời điểm hiện tại", "27/11/2026 10:00"),
    ),
    "empty applicant": (new(applicant="   "), ("--applicant", "không được để trống")),
    "applicant on two lines": (
        new(applicant="Lê Thị\nHà"),
        ("--applicant", "Lê Thị\\nHà", "ký tự xuống dòng"),
    ),
    "applicant with a tab": (new(applicant="Lê\tHà"), ("--applicant", "Lê\\tHà", "tab")),
    "applicant of 30,000 characters": (new(applicant="A" * 30_000), ("--applicant", "tối đa 200")),
    "e-mail without a domain": (new(email="ha@"), ("--email", "ha@", "thư điện tử")),
    "e-mail with two @": (new(email="ha@@x.vn"), ("--email", "ha@@x.vn")),
    "phone in words": (new(phone="abc"), ("--phone", "abc", "chữ số")),
    "phone without a digit": (new(phone="(+)"), ("--phone", "(+)", "chữ số")),
    "invalid channel": (new(channel="fax"), ("kênh", "fax", "truc-tiep, truc-tuyen, buu-chinh")),
    "invalid applicant kind": (new(applicant_kind="nguoi"), ("loại chủ hồ sơ", "nguoi")),
    "code with a space": (new("H48 0001"), ("mã hồ sơ", "H48 0001", "khoảng trắng")),
    "missing required option": (new(procedure="<omit>"), ("lệnh viết chưa đúng", "--procedure")),
    "unknown option": (new(colour="xanh"), ("lệnh viết chưa đúng", "--colour")),
    "completion before receipt": (
        ("dossier", "complete", OPEN, "--at", "01/03/2026 09:00"),
        ("01/03/2026 09:00", "sớm hơn thời điểm tiếp nhận", "02/03/2026 09:00"),
    ),
    "completion in the future": (
        ("dossier", "complete", OPEN, "--at", "30/11/2026 09:00"),
        ("--at", "30/11/2026 09:00", "muộn hơn thời điểm hiện tại"),
    ),
    "action before the last event": (
        ("dossier", "supplement-received", AWAITING, "--at", "03/03/2026 08:00"),
        ("03/03/2026 08:00", "sớm hơn"),
    ),
    "unparseable --at": (("dossier", "complete", OPEN, "--at", "mai"), ("--at", "mai")),
    "return before complete": (
        ("dossier", "return", OPEN, "--at", "03/03/2026 09:00"),
        (OPEN, "Đang giải quyết", "Trả kết quả"),
    ),
    "complete a withdrawn dossier": (
        ("dossier", "complete", WITHDRAWN, "--at", "04/03/2026 09:00"),
        (WITHDRAWN, "Rút hồ sơ", "Xử lý xong"),
    ),
    "second supplement request": (
        (
            "dossier",
            "supplement-request",
            SUPPLEMENTED,
            "--at",
            "04/03/2026 10:00",
            "--reason",
            "x",
        ),
        (SUPPLEMENTED, "một lần"),
    ),
    "supplement request while awaiting one": (
        ("dossier", "supplement-request", AWAITING, "--at", "04/03/2026 10:00", "--reason", "x"),
        (AWAITING, "Chờ bổ sung", "Yêu cầu bổ sung"),
    ),
    "supplement request without reason": (
        ("dossier", "supplement-request", OPEN, "--at", "04/03/2026 10:00", "--reason", " "),
        ("lý do", "không được để trống"),
    ),
    "pause without --reason": (
        ("dossier", "pause", OPEN, "--at", "04/03/2026 10:00"),
        ("lệnh viết chưa đúng", "--reason"),
    ),
    "resume a running dossier": (
        ("dossier", "resume", OPEN, "--at", "04/03/2026 10:00"),
        (OPEN, "Đang giải quyết", "Tiếp tục"),
    ),
    "extend a withdrawn dossier": (
        ("dossier", "extend", WITHDRAWN, "--new-due", "10/03/2026 16:00", "--reason", "x"),
        (WITHDRAWN, "Rút hồ sơ"),
    ),
    "extension dated in the future": (
        (
            "dossier",
            "extend",
            OPEN,
            "--new-due",
            "10/12/2026 16:00",
            "--reason",
            "x",
            "--at",
            "01/12/2026 09:00",
        ),
        ("--at", "01/12/2026 09:00", "muộn hơn"),
    ),
    "unparseable --new-due": (
        ("dossier", "extend", OPEN, "--new-due", "32/13/2026 25:00", "--reason", "x"),
        ("--new-due", "32/13/2026 25:00"),
    ),
    "unknown dossier": (("dossier", "show", "KHONG-CO"), ("Hồ sơ", "KHONG-CO", "không tồn tại")),
    "unknown dossier action": (
        ("dossier", "withdraw", "KHONG-CO", "--at", "04/03/2026 10:00"),
        ("Hồ sơ", "KHONG-CO"),
    ),
    "invalid --status": (("dossier", "list", "--status", "xong"), ("--status", "xong")),
    "list of an unknown agency": (("dossier", "list", "--agency", "KHONG-CO"), ("KHONG-CO",)),
    "unparseable --as-of": (("dossier", "list", "--as-of", "hôm nay"), ("--as-of", "hôm nay")),
    "--as-of before the receipt": (
        ("dossier", "show", OPEN, "--as-of", "01/03/2026 09:00"),
        ("--as-of", "01/03/2026 09:00", "thời điểm tiếp nhận", "02/03/2026 09:00"),
    ),
    "cut-off out of the day": (
        (
            "deadline",
            "--received",
            "02/03/2026 09:00",
            "--limit",
            "3 ngày làm việc",
            "--cutoff",
            "25:00",
        ),
        ("--cutoff", "25:00", "HH:MM"),
    ),
    "limit of two hundred years": (
        ("deadline", "--received", "02/03/2026 09:00", "--limit", "99999999 ngày làm việc"),
        ("thời hạn", "99999999 ngày làm việc", "dài quá 500 ngày làm việc"),
    ),
    "nothing to print": (
        ("letters", "print", "-o", "in.docx", "--date", "2026-03-02"),
        ("Không có văn bản xin lỗi nào đã ban hành",),
    ),
    "print range reversed": (
        ("letters", "print", "-o", "in.docx", "--from", "2026-11-20", "--to", "2026-11-01"),
        ("--to", "2026-11-01", "sớm hơn", "--from"),
    ),
    "calendar year out of range": (("calendar", "show", "99999"), ("Năm 99999", "ngoài lịch")),
}


@pytest.mark.parametrize(("args", "fragments"), CASES.values(), ids=CASES.keys())
def test_bad_input_changes_nothing(
    ledger: Runner, ledger_db: Ledger, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    before = snapshot(ledger_db)
    result = fails(ledger(*args), *fragments)
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert snapshot(ledger_db) == before


def test_a_refused_action_leaves_the_dossier_as_it_was(ledger: Runner) -> None:
    before = show_json(ledger, OPEN)
    fails(ledger("dossier", "return", OPEN, "--at", "03/03/2026 09:00"))
    fails(ledger("dossier", "complete", OPEN, "--at", "01/03/2026 09:00"))
    assert show_json(ledger, OPEN) == before


def test_nfd_input_is_stored_in_nfc(seeded: Runner, ledger_db: Ledger) -> None:
    name = "Nguyễn Thị Thu Hương"
    nfd = unicodedata.normalize("NFD", name)
    assert nfd != name
    data = add_dossier(
        seeded,
        unicodedata.normalize("NFD", "HỒ-SƠ-1"),
        "02/03/2026 09:00",
        applicant=nfd,
        extra=("--address", unicodedata.normalize("NFD", "Xã Thoại Giang")),
    )
    assert data["code"] == "HỒ-SƠ-1"
    assert data["applicant_name"] == name
    assert data["address"] == "Xã Thoại Giang"
    ((code, stored, address),) = ledger_db.query(
        "SELECT code, applicant_name, address FROM dossier"
    )
    for text in (code, stored, address):
        assert unicodedata.is_normalized("NFC", text)
    assert stored == name
    # The NFC code finds the dossier whichever form the clerk types.
    assert show_json(seeded, unicodedata.normalize("NFD", "HỒ-SƠ-1"))["applicant_name"] == name


def test_errors_never_print_a_traceback(ledger: Runner) -> None:
    for args, _fragments in CASES.values():
        result = ledger(*args)
        assert result.code == 1
        assert "Traceback" not in result.err + result.out
    assert json.loads(ok(ledger("dossier", "list", "--json")).out)


@pytest.mark.parametrize(
    ("args", "target", "fragment"),
    [
        (("export", "dossiers", "-o", "{dir}"), "{dir}", "là một thư mục"),
        (("export", "dossiers", "-o", "{dir}/khong-co/a.csv"), "{dir}/khong-co", "không tồn tại"),
        (("export", "dossiers", "--format", "xlsx", "-o", "{dir}"), "{dir}", "là một thư mục"),
        (("export", "sqlite", "{dir}/khong-co/snap.db"), "{dir}/khong-co", "không tồn tại"),
        (("export", "sqlite", "{dir}", "--force"), "{dir}", "là một thư mục"),
        (("stats", "month", "2026-03", "--xlsx", "{dir}"), "{dir}", "là một thư mục"),
        (("stats", "month", "2026-03", "--docx", "{dir}"), "{dir}", "là một thư mục"),
    ],
    ids=["export-to-folder", "export-missing-folder", "xlsx-export-to-folder",
         "snapshot-missing-folder", "snapshot-to-folder", "stats-xlsx-to-folder",
         "stats-docx-to-folder"],
)  # fmt: skip
def test_an_output_path_that_cannot_be_written_is_one_line(
    ledger: Runner, ledger_db: Ledger, tmp_path: Path, args: tuple[str, ...], target: str,
    fragment: str,
) -> None:  # fmt: skip
    before = snapshot(ledger_db)
    out = tmp_path / "ra"
    out.mkdir()
    fails(ledger(*(a.format(dir=out) for a in args)), target.format(dir=out), fragment)
    assert snapshot(ledger_db) == before
    assert list(out.iterdir()) == []  # no half-written file left


@pytest.mark.parametrize(
    ("url", "fragments"),
    [
        ("sqlite:///{file}", ("“--db”", "không phải cơ sở dữ liệu SQLite")),
        # init: cannot open it; another command: no such file, run init (none is created)
        ("sqlite:///{dir}/khong-co/tthc.db", ("“--db”", "tệp cơ sở dữ liệu")),
        ("postgresql+psycopg2://tthc@/tthc", ("“--db”", "psycopg2", "postgresql+psycopg://")),
        ("khong la dia chi", ("“--db”", "không đọc được địa chỉ")),
    ],
    ids=["not-a-database", "missing-folder", "driver-missing", "not-a-url"],
)
def test_a_database_that_cannot_be_opened_is_one_line(
    cli: Runner, tmp_path: Path, url: str, fragments: tuple[str, ...]
) -> None:
    if "psycopg2" in url and importlib.util.find_spec("psycopg2") is not None:
        pytest.skip("psycopg2 is installed here: the missing-driver message cannot be seen")
    text = tmp_path / "ghi-chu.txt"
    text.write_text("không phải SQLite\n", encoding="utf-8")
    address = url.format(file=text, dir=tmp_path)
    for command in (("init",), ("dossier", "list")):
        fails(cli(*command, db=address), *fragments)
    assert text.read_text(encoding="utf-8") == "không phải SQLite\n"
