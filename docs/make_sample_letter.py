"""Render docs/sample-letter.png: the default template filled with the An Giang sample.

Run from the repository root (needs LibreOffice and poppler-utils)::

    python docs/make_sample_letter.py [OUT.png]

The values are those of data/agencies.csv (Sở Tư pháp, Rạch Giá) and data/procedures.csv,
decided by the domain layer exactly as ``tthc letters issue`` does. Look at the image before
committing it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

from tthc_tracker.documents.letters import render_letter
from tthc_tracker.documents.pdf import to_pdf
from tthc_tracker.domain.dossier import ApplicantKind, Channel, Dossier
from tthc_tracker.domain.letters import Honorific, LetterFacts, letter_fields
from tthc_tracker.domain.times import LOCAL_TZ

ROOT = Path(__file__).resolve().parents[1]
DPI = 80

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_letters import catalogue  # noqa: E402 - the one An Giang sample, shared


def sample_fields() -> dict[str, object]:
    agency, receiving, procedure = catalogue()
    due = datetime(2026, 3, 16, 8, 30, tzinfo=LOCAL_TZ)
    dossier = Dossier(
        code="000.00.15.H01-260302-0017",
        procedure_code=procedure.code,
        receiving_agency=receiving.code,
        processing_agency=agency.code,
        returning_agency=receiving.code,
        applicant_name="Nguyễn Văn Đức",
        channel=Channel.DIRECT,
        received_at=datetime(2026, 3, 2, 8, 30, tzinfo=LOCAL_TZ),
        original_due_at=due,
        due_at=due,
        applicant_kind=ApplicantKind.PERSON,
        id_number="089086001234",
    )
    facts = LetterFacts(
        number=1,
        issued_on=date(2026, 3, 13),
        reason="Hồ sơ cần xác minh thêm thông tin tại Công an tỉnh An Giang",
        new_due_at=datetime(2026, 3, 20, 16, 0, tzinfo=LOCAL_TZ),
        honorific=Honorific.MR,
    )
    return letter_fields(dossier, procedure, agency, receiving, facts)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "sample-letter.png"
    with tempfile.TemporaryDirectory(prefix="sample-letter-") as scratch:
        letter = Path(scratch) / "sample-letter.docx"
        render_letter(ROOT / "templates" / "tt03-2025.docx", sample_fields(), letter)
        pdf = to_pdf(letter, letter.with_suffix(".pdf"))
        prefix = Path(scratch) / "page"
        command = ["pdftoppm", "-png", "-r", str(DPI), "-singlefile", str(pdf), str(prefix)]
        subprocess.run(command, check=True)
        shutil.copyfile(prefix.with_suffix(".png"), out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
