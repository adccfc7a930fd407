"""`tthc digest`: per agency, the dossiers at risk and overdue, written to the outbox as .txt
and .csv, and e-mailed once a day through a real SMTP server on 127.0.0.1 (issue 4)."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import os
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import Runner, fails, ok
from tests.workflow.conftest import AG_A, AG_B, APPLICANT, EMAIL_A, EMAIL_B, receive, sweep_json

AS_OF = "2026-03-06 07:00"  # Fri: HS-RISK (due Mon 09/03) at risk, HS-LATE (due 05/03) overdue
SENDER = "canhbao@tthc.gov.vn"


class Collector:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content, policy=email.policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Collector]:
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("TTHC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TTHC_SMTP_PORT", str(port))
    monkeypatch.setenv("TTHC_SMTP_FROM", SENDER)
    try:
        yield collector
    finally:
        controller.stop()


@pytest.fixture
def flagged(ledger: Runner) -> Runner:
    receive(ledger, "HS-RISK")
    receive(ledger, "HS-LATE", "2026-03-02 09:00")
    receive(ledger, "HS-B", agency=AG_B, applicant="Công ty TNHH Thoại Sơn")
    receive(ledger, "HS-CALM", "2026-03-05 09:00")  # due Tue 10/03: not yet at risk
    return ledger


def digest_json(run: Runner, as_of: str = AS_OF) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(ok(run("digest", "--as-of", as_of, "--json")).out)
    return data


def test_files_list_at_risk_and_overdue_with_time_left_and_letter_status(
    flagged: Runner, env: Path
) -> None:
    sweep_json(flagged, "2026-03-06 00:30")  # drafts for the three flagged dossiers
    ok(
        flagged(
            "letters", "issue", "HS-B", "--reason", "Chờ thẩm định",
            "--new-due", "2026-03-13 09:00", "--at", "2026-03-05 16:00",
        )
    )  # fmt: skip
    data = digest_json(flagged, "2026-03-06 07:00")
    by_agency = {d["agency"]: d for d in data}
    assert set(by_agency) == {AG_A}  # HS-B was extended: neither at risk nor overdue
    assert by_agency[AG_A]["dossiers"] == ["HS-LATE", "HS-RISK"]  # by due time
    assert (by_agency[AG_A]["sent"], by_agency[AG_A]["already_sent"]) == (False, False)
    folder = env / "outbox" / "2026-03-06"
    assert by_agency[AG_A]["files"] == [str(folder / f"{AG_A}.txt"), str(folder / f"{AG_A}.csv")]
    text = (folder / f"{AG_A}.txt").read_text(encoding="utf-8")
    assert "ngày 06/03/2026" in text
    assert "Sắp quá hạn: 1 hồ sơ" in text and "Quá hạn: 1 hồ sơ" in text
    risk = next(line for line in text.splitlines() if "HS-RISK" in line)
    late = next(line for line in text.splitlines() if "HS-LATE" in line)
    # Fri 07:00 → Mon 09:00 is 1 working day 2 hours; Thu 09:00 → Fri 07:00 is 6 working hours.
    assert "Còn 1 ngày 2 giờ" in risk and APPLICANT in risk and "Đăng ký khai sinh" in risk
    assert "Quá 6 giờ" in late and "hạn 05/03/2026 09:00" in late
    assert "văn bản xin lỗi: dự thảo" in risk
    rows = list(csv.reader(io.StringIO((folder / f"{AG_A}.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == [
        "ma_ho_so",
        "canh_bao",
        "chu_ho_so",
        "thu_tuc",
        "han",
        "tinh_trang",
        "van_ban",
    ]
    assert rows[1] == [
        "HS-LATE", "Quá hạn", APPLICANT, "Đăng ký khai sinh", "05/03/2026 09:00", "Quá 6 giờ",
        "dự thảo",
    ]  # fmt: skip
    assert rows[2][:2] == ["HS-RISK", "Sắp quá hạn"] and rows[2][5] == "Còn 1 ngày 2 giờ"
    assert not (folder / f"{AG_A}.sent").exists()


def test_without_a_sweep_the_letter_status_is_none_yet(flagged: Runner, env: Path) -> None:
    digest_json(flagged)
    text = (env / "outbox" / "2026-03-06" / f"{AG_A}.txt").read_text(encoding="utf-8")
    assert "văn bản xin lỗi: chưa có" in text


def test_nothing_to_report(ledger: Runner, env: Path) -> None:
    receive(ledger, "HS-CALM", "2026-03-05 09:00")
    assert digest_json(ledger, "2026-03-05 07:00") == []
    assert "Không có hồ sơ" in ok(ledger("digest", "--as-of", "2026-03-05 07:00")).out
    assert not (env / "outbox" / "2026-03-05").exists()


def test_one_email_per_agency_with_the_csv_once_a_day(
    flagged: Runner, smtp: Collector, env: Path
) -> None:
    data = digest_json(flagged)
    assert [(d["agency"], d["sent"], d["already_sent"]) for d in data] == [
        (AG_B, True, False),
        (AG_A, True, False),
    ]
    assert len(smtp.envelopes) == 2
    assert sorted(tuple(e.rcpt_tos) for e in smtp.envelopes) == [(EMAIL_B,), (EMAIL_A,)]
    assert all(e.mail_from == SENDER for e in smtp.envelopes)
    by_to = {str(m["To"]): m for m in smtp.messages()}
    message = by_to[EMAIL_A]
    assert message["From"] == SENDER
    assert message["Subject"] == (
        f"[tthc-tracker] {AG_A}: hồ sơ sắp quá hạn và quá hạn ngày 06/03/2026"
    )
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "HS-RISK" in body.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"{AG_A}.csv"
    assert attachment.get_content_type() == "text/csv"
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert payload == (env / "outbox" / "2026-03-06" / f"{AG_A}.csv").read_bytes()
    assert "HS-LATE" in payload.decode("utf-8-sig")
    assert "HS-B" in by_to[EMAIL_B].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

    again = digest_json(flagged, "2026-03-06 07:30")
    assert [(d["sent"], d["already_sent"]) for d in again] == [(False, True), (False, True)]
    assert len(smtp.envelopes) == 2
    out = ok(flagged("digest", "--as-of", "2026-03-06 08:00")).out
    assert "đã gửi trước đó" in out and len(smtp.envelopes) == 2
    # The next day is a new digest.
    digest_json(flagged, "2026-03-07 07:00")
    assert len(smtp.envelopes) == 4


def test_an_agency_without_email_gets_files_only(
    flagged: Runner, smtp: Collector, env: Path
) -> None:
    ok(flagged("agency", "add", "XA-C", "--name", "UBND XÃ C"))
    receive(flagged, "HS-C", agency="XA-C")
    data = {d["agency"]: d for d in digest_json(flagged)}
    assert (data["XA-C"]["sent"], data["XA-C"]["already_sent"]) == (False, False)
    assert (env / "outbox" / "2026-03-06" / "XA-C.txt").is_file()
    assert len(smtp.envelopes) == 2


def test_no_smtp_configured_means_files_only(flagged: Runner, env: Path) -> None:
    data = digest_json(flagged)
    assert [(d["sent"], d["already_sent"]) for d in data] == [(False, False), (False, False)]
    folder = env / "outbox" / "2026-03-06"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{AG_B}.csv", f"{AG_B}.txt", f"{AG_A}.csv", f"{AG_A}.txt",
    ]  # fmt: skip
    assert "chưa gửi thư" in ok(flagged("digest", "--as-of", AS_OF)).out


@pytest.mark.parametrize("port", ["abc", "0", "70000", ""])
def test_a_bad_smtp_port_is_refused_in_vietnamese(
    flagged: Runner, env: Path, monkeypatch: pytest.MonkeyPatch, port: str
) -> None:
    monkeypatch.setenv("TTHC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TTHC_SMTP_PORT", port)
    fails(flagged("digest", "--as-of", AS_OF), "TTHC_SMTP_PORT", "không phải số cổng")
    assert not (env / "outbox").exists()


def test_an_unreachable_smtp_server_is_reported_in_vietnamese(
    flagged: Runner, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTHC_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TTHC_SMTP_PORT", str(free_port()))  # nothing listens there
    fails(flagged("digest", "--as-of", AS_OF), "TTHC_SMTP_HOST", "không gửi được thư", AG_A, AG_B)
    folder = env / "outbox" / "2026-03-06"
    for agency in (AG_A, AG_B):  # every outbox copy is still written
        assert (folder / f"{agency}.txt").is_file() and (folder / f"{agency}.csv").is_file()
    assert not list(folder.glob("*.sent"))  # and nothing counts as sent


def test_after_a_failed_send_the_next_run_sends_what_was_not_sent(
    flagged: Runner, smtp: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    working = os.environ["TTHC_SMTP_PORT"]
    monkeypatch.setenv("TTHC_SMTP_PORT", str(free_port()))
    fails(flagged("digest", "--as-of", AS_OF), "không gửi được thư")
    assert smtp.envelopes == []
    monkeypatch.setenv("TTHC_SMTP_PORT", working)
    data = digest_json(flagged, "2026-03-06 07:10")
    assert [(d["sent"], d["already_sent"]) for d in data] == [(True, False), (True, False)]
    assert len(smtp.envelopes) == 2


def test_a_dossier_awaiting_its_supplement_past_fifteen_days_has_a_section(
    ledger: Runner, env: Path
) -> None:
    receive(ledger, "HS-WAIT", "2026-03-02 09:00", agency=AG_B)
    ok(
        ledger(
            "dossier", "supplement-request", "HS-WAIT", "--at", "2026-03-03 10:00",
            "--reason", "Thiếu tờ khai",
        )
    )  # fmt: skip
    assert digest_json(ledger, "2026-03-18 16:00") == []  # within the 15 days: nothing
    [data] = digest_json(ledger, "2026-03-19 07:00")
    assert (data["agency"], data["dossiers"]) == (AG_B, ["HS-WAIT"])
    folder = env / "outbox" / "2026-03-19"
    text = (folder / f"{AG_B}.txt").read_text(encoding="utf-8")
    assert "Sắp quá hạn: 0 hồ sơ" in text and "Quá hạn: 0 hồ sơ" in text
    assert "Quá hạn bổ sung: 1 hồ sơ" in text
    line = next(line for line in text.splitlines() if "HS-WAIT" in line)
    assert "hết 15 ngày bổ sung 18/03/2026 17:00 | Quá 1 ngày |" in line  # calendar days
    assert "xem xét kết thúc hồ sơ" in line
    assert "Điều 19 khoản 5" in text
    rows = list(csv.reader(io.StringIO((folder / f"{AG_B}.csv").read_text(encoding="utf-8-sig"))))
    assert rows[1][:2] == ["HS-WAIT", "Quá hạn bổ sung"]
    assert (rows[1][4], rows[1][6]) == ("18/03/2026 17:00", "không áp dụng")


def test_a_digest_without_a_supplement_past_its_days_has_no_such_section(
    flagged: Runner, env: Path
) -> None:
    digest_json(flagged)
    text = (env / "outbox" / "2026-03-06" / f"{AG_A}.txt").read_text(encoding="utf-8")
    assert "bổ sung" not in text


def test_an_extension_without_its_letter_stays_in_the_digest(ledger: Runner, env: Path) -> None:
    """Received Wed 04/03 09:00, due Mon 09/03 09:00, rescheduled to Thu 12/03 09:00 by
    `dossier extend` with no letter: at risk against the legal time, then, past it, in a
    section of its own until the letter is issued."""
    receive(ledger, "HS-EXT")
    ok(ledger("dossier", "extend", "HS-EXT", "--new-due", "2026-03-12 09:00", "--reason", "Chờ",
              "--at", "2026-03-05 10:00"))  # fmt: skip
    digest_json(ledger, "2026-03-06 07:00")
    text = (env / "outbox" / "2026-03-06" / f"{AG_A}.txt").read_text(encoding="utf-8")
    risk = next(line for line in text.splitlines() if "HS-EXT" in line)
    assert "Sắp quá hạn: 1 hồ sơ" in text
    assert "hạn 09/03/2026 09:00" in risk and "Còn 1 ngày 2 giờ" in risk
    [late] = digest_json(ledger, "2026-03-10 07:00")
    assert late["dossiers"] == ["HS-EXT"]
    text = (env / "outbox" / "2026-03-10" / f"{AG_A}.txt").read_text(encoding="utf-8")
    assert "Trễ hạn chưa xin lỗi (đã hẹn lại nhưng chưa có văn bản): 1 hồ sơ" in text
    assert "hạn theo quy định 09/03/2026 09:00 | Quá 6 giờ" in text
