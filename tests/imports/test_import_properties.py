"""Malformed files never crash the import and never commit part of a file (Hypothesis).

Random columns (some required ones missing, unknown ones added), random cells (any text,
broken dates, huge values, plausible values, half a UTF-16 pair), in UTF-8, UTF-8 with BOM,
UTF-16 or as JSON: the command
ends with exit 0 or a Vietnamese "Lỗi: …" and exit 1, never a traceback; the ledger gains
either every line of the file or none (with ``--skip-invalid``: exactly the lines it reports
as added, and each other line is in the rejects file).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.backends import Ledger
from tests.conftest import AGENCY_DEFAULT, P_3_DAYS, P_SAME_DAY, Runner, row_counts

REQUIRED = ["MaHoSo", "MaTTHC", "DonViXuLy", "ChuHoSo", "KenhThucHien", "NgayTiepNhan"]
OPTIONAL = ["NgayHenTra", "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo", "SoDienThoai",
            "DonViTiepNhan", "status_at", "status_reason", "GhiChu", "applicant_kind"]  # fmt: skip
PLAUSIBLE = ["H01-1", "H01-2", "0012", "1.010", P_3_DAYS, P_SAME_DAY, AGENCY_DEFAULT,
             "Nguyễn Văn Đức", "1", "2", "3", "4", "9", "10", "8", "02/11/2026 09:00",
             "03/11/2026", "2026-11-04 10:00:00", "20261105080000", "46328.375",
             "31/02/2026 09:00", "02/11/2026 25:61", "99/99/9999", "02/12/2099 09:00",
             "Đã trả kết quả", "ca-nhan", "to-chuc", "truc-tuyen", "-1", "1e308", "",
             "Nguy\ud800n"]  # fmt: skip
VALID = {"MaTTHC": P_3_DAYS, "DonViXuLy": AGENCY_DEFAULT, "ChuHoSo": "Lê Văn An",
         "KenhThucHien": "2", "NgayTiepNhan": "02/11/2026 09:00", "NgayHenTra": "05/11/2026 09:00",
         "NgayKetThucXuLy": "03/11/2026 10:00"}  # fmt: skip
CELLS = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.text(max_size=25),
    st.text(alphabet="0123456789/:-. T+", max_size=25),
    st.builds(lambda n, c: c * n, st.integers(1000, 20000), st.sampled_from('9xĐ,"')),
)


@st.composite
def files(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    header = [c for c in REQUIRED if draw(st.integers(0, 29))]  # now and then one is missing
    header += draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=5))
    header = draw(st.permutations(header))
    random_row = st.lists(CELLS, min_size=len(header), max_size=len(header) + 1)
    names = st.sampled_from([VALID["ChuHoSo"], "Nguy\ud800n"])  # valid but for half a pair
    valid_row = st.builds(
        lambda u, name: [
            f"H-{u}" if h == "MaHoSo" else name if h == "ChuHoSo" else VALID.get(h, "")
            for h in header
        ],
        st.uuids(),
        names,
    )
    mixed = st.lists(st.one_of(random_row, valid_row), min_size=1, max_size=6)
    rows = draw(st.one_of(mixed, st.lists(valid_row, min_size=1, max_size=4)))
    return list(header), rows


def _write(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> None:
    if encoding == "json":  # ASCII with escapes: a lone surrogate stays "\ud800" in the file
        records = [dict(zip(header, row, strict=False)) for row in rows]
        path.write_text(json.dumps(records), encoding="utf-8")
        return
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    data = buffer.getvalue().encode(encoding.replace("-sig", ""), errors="surrogatepass")
    path.write_bytes(codecs.BOM_UTF8 + data if encoding.endswith("-sig") else data)


def _counted(result_out: str) -> dict[str, int] | None:
    try:
        summary = json.loads(result_out)
    except json.JSONDecodeError:
        return None
    return summary if isinstance(summary, dict) else None


PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


HALF_PAIR_FILE = (
    REQUIRED,
    [["H-1", P_3_DAYS, AGENCY_DEFAULT, "Nguy\ud800n", "2", "02/11/2026 09:00"]],
)


@PROPERTY
@given(data=files(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "json"]))
@example(data=HALF_PAIR_FILE, encoding="json")  # valid but for half a UTF-16 pair (it crashed)
def test_malformed_files_never_crash_nor_commit_part_of_a_file(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path, data: tuple[list[str], list[list[str]]],
    encoding: str,
) -> None:  # fmt: skip
    header, rows = data
    path = tmp_path / ("ho-so.json" if encoding == "json" else "ho-so.csv")
    _write(path, header, rows, encoding)
    before = row_counts(ledger_db)["dossier"]
    result = seeded("import", "dossiers", str(path), "--json")
    assert "Traceback" not in result.err
    assert result.code in (0, 1), result
    after = row_counts(ledger_db)["dossier"]
    if result.code == 1:
        assert after == before
        assert result.err.startswith("Lỗi: ") or _counted(result.out) is not None, result
    else:
        summary = _counted(result.out)
        assert summary is not None
        assert after == before + summary["added"]
        assert summary["errors"] == []
        event("clean import" if summary["added"] else "nothing to add")


@PROPERTY
@given(data=files())
def test_skip_invalid_writes_exactly_the_lines_it_reports(
    seeded: Runner, ledger_db: Ledger, tmp_path: Path, data: tuple[list[str], list[list[str]]]
) -> None:
    header, rows = data
    path, rejects = tmp_path / "ho-so.csv", tmp_path / "loi.csv"
    _write(path, header, rows, "utf-8")
    rejects.unlink(missing_ok=True)
    before = row_counts(ledger_db)["dossier"]
    result = seeded("import", "dossiers", str(path), "--skip-invalid", "--rejects", str(rejects),
                    "--json")  # fmt: skip
    assert "Traceback" not in result.err
    after = row_counts(ledger_db)["dossier"]
    if result.code == 1:
        assert result.err.startswith("Lỗi: ")
        assert after == before
        return
    summary = _counted(result.out)
    assert summary is not None
    assert after == before + summary["added"]
    if summary["rejected"]:
        with rejects.open(encoding="utf-8-sig", newline="") as handle:
            assert len(list(csv.reader(handle))) == summary["rejected"] + 1
