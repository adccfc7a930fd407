"""Measure apology-letter rendering: docxtpl as is, our cached render, the print bundle.

Run from the repository root::

    python benchmarks/bench_letters.py [--n 1000] [--bundle-n 5000] [--pdf-n 0]

It makes ``n`` (and ``bundle-n``) distinct, realistic letters' fields with the domain layer
(An Giang sample agencies, varied applicants, codes, dates and reasons; made before any clock
starts) and times, in one run, on the shipped ``templates/tt03-2025.docx``:

(a) the straightforward docxtpl baseline: ``DocxTemplate(path)``, ``render(context,
    jinja_env)`` (autoescape, StrictUndefined), ``save`` -- one .docx per letter;
(b) ``render_letter``: one .docx per letter (NFC, atomic write with fsync, SHA-256), the
    template compiled once (its first, cold render included in the time);
(c) ``render_bundle``: ``bundle-n`` letters into ONE .docx, one letter per page;
(d) ``merge_letters`` of the ``n`` files written by (b) into one .docx: what
    ``tthc letters print`` does with issued letters.

It checks that (b) gives docxtpl's ``word/document.xml`` byte for byte on the first letters
and that the bundle has ``bundle-n - 1`` page breaks, prints a table, and writes it into the
"bench_letters.py" section of benchmarks/README.md (``--no-readme`` to leave it). With
``--pdf-n N`` it also times LibreOffice converting a bundle of N letters to PDF.
Exit code 1 if a check fails.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout, without installing
    sys.path.insert(0, str(ROOT))

README = ROOT / "benchmarks" / "README.md"
HEADING = "## `bench_letters.py`"
FILES_GOAL_PER_S = 100
BUNDLE_GOAL_PER_S = 1_000

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLES = ("Văn", "Thị", "Thị Mỹ", "Hoàng", "Ngọc", "Minh", "Thanh", "Quốc")
GIVEN = ("Đức", "Hạnh", "Linh", "Phúc", "Trí", "Hân", "An", "Bình", "Tâm", "Khoa", "Ánh")
REASONS = (
    "Hồ sơ cần xác minh thêm thông tin tại Công an tỉnh.",
    "Chờ ý kiến của Sở Tài nguyên & Môi trường về ranh giới thửa đất",
    "Hệ thống cơ sở dữ liệu hộ tịch điện tử gặp sự cố kỹ thuật",
    "Cần lấy ý kiến của cơ quan, tổ chức có liên quan theo quy định",
)


@dataclass(frozen=True)
class Row:
    method: str
    n: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.n / self.seconds


def catalogue() -> tuple[Any, Any, Any]:
    """The An Giang sample (data/agencies.csv, data/procedures.csv): the Sở Tư pháp issues,
    the provincial centre received."""
    from tthc_tracker.domain.catalog import Agency, Procedure
    from tthc_tracker.domain.limits import parse_limit

    agency = Agency(
        code="STP-AG",
        name="SỞ TƯ PHÁP",
        parent="UBND TỈNH AN GIANG",
        place="Rạch Giá",
        signer_title="GIÁM ĐỐC",
        signer_name="Trần Thị Mỹ Linh",
        short_name="Sở Tư pháp tỉnh An Giang",
    )
    receiving = Agency(
        code="HCC-AG",
        name="TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        short_name="Trung tâm Phục vụ hành chính công tỉnh An Giang",
    )
    procedure = Procedure(
        code="2.000488.000.00.00.H01",
        name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú "
        "tại Việt Nam",
        field="Lý lịch tư pháp",
        limit=parse_limit("10 ngày làm việc"),
        limit_text="Không quá 10 ngày kể từ ngày nhận được yêu cầu hợp lệ",
    )
    return agency, receiving, procedure


def make_letters(count: int) -> list[dict[str, object]]:
    """``count`` distinct letters' fields, decided by the domain layer as when issuing."""
    from tthc_tracker.domain.dossier import ApplicantKind, Channel, Dossier
    from tthc_tracker.domain.letters import Honorific, LetterFacts, letter_fields
    from tthc_tracker.domain.times import LOCAL_TZ

    agency, receiving, procedure = catalogue()
    letters = []
    for index in range(count):
        received = datetime(2026, 3, 2, 8, 0, tzinfo=LOCAL_TZ) + timedelta(hours=index % 200)
        due = received + timedelta(days=14)
        name = f"{SURNAMES[index % 10]} {MIDDLES[index // 10 % 8]} {GIVEN[index // 80 % 11]}"
        dossier = Dossier(
            code=f"000.00.15.H01-{received:%y%m%d}-{index:04d}",
            procedure_code=procedure.code,
            receiving_agency=receiving.code,
            processing_agency=agency.code,
            returning_agency=receiving.code,
            applicant_name=name,
            channel=Channel.DIRECT,
            received_at=received,
            original_due_at=due,
            due_at=due,
            applicant_kind=ApplicantKind.PERSON,
            id_number=f"0891{index:08d}",
        )
        facts = LetterFacts(
            number=index % 9999 + 1,
            issued_on=due.date() - timedelta(days=1),
            reason=REASONS[index % len(REASONS)],
            new_due_at=due + timedelta(days=7),
            honorific=(Honorific.MR, Honorific.MRS, Honorific.UNKNOWN)[index % 3],
        )
        letters.append(letter_fields(dossier, procedure, agency, receiving, facts))
    return letters


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def baseline(template: Path, letters: list[dict[str, object]], folder: Path) -> None:
    """(a) load the template, render, save: per letter, as docxtpl's documentation shows."""
    import jinja2
    from docxtpl import DocxTemplate

    for index, context in enumerate(letters):
        letter = DocxTemplate(str(template))
        env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
        letter.render(context, jinja_env=env, autoescape=True)
        letter.save(str(folder / f"{index:05d}.docx"))


def separate(template: Path, letters: list[dict[str, object]], folder: Path) -> list[Path]:
    """(b) our render, one file per letter."""
    from tthc_tracker.documents.letters import render_letter

    paths = []
    for index, fields in enumerate(letters):
        paths.append(folder / f"{index:05d}.docx")
        render_letter(template, fields, paths[-1])
    return paths


def member(path: Path, name: str = "word/document.xml") -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def nproc() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def table(rows: list[Row]) -> list[str]:
    base = rows[0].rate
    lines = [
        "| method | n | seconds | letters/s | ratio to baseline (speed) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.method} | {row.n:,} | {row.seconds:.3f} | {row.rate:,.0f} "
            f"| {row.rate / base:.1f}× |"
        )
    return lines


def machine() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("docxtpl", "python-docx", "lxml", "Jinja2")
    )
    return (
        f"`nproc` {nproc()}, CPU `{cpu_model()}`, {platform.machine()}; "
        f"Python {platform.python_version()}; {versions}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000, help="letters for (a), (b) and (d)")
    parser.add_argument("--bundle-n", type=int, default=5_000, help="letters for (c)")
    parser.add_argument("--pdf-n", type=int, default=0, help="also time PDF of this bundle")
    parser.add_argument("--template", type=Path, default=ROOT / "templates" / "tt03-2025.docx")
    parser.add_argument("--no-readme", action="store_true", help="do not update the README")
    args = parser.parse_args(argv)

    before = load_average()
    letters = make_letters(max(args.n, args.bundle_n, args.pdf_n))
    rows, notes, ok = measure(args, letters)
    notes.append(
        f"load average (1 min): {before:.2f} before the run, {load_average():.2f} after "
        "(other work on the machine slows every row)"
    )
    today = datetime.now(UTC).date()
    report(rows, notes, today)
    if not args.no_readme:
        write_readme(section(rows, notes, today, args))
    return 0 if ok else 1


def measure(
    args: argparse.Namespace, letters: list[dict[str, object]]
) -> tuple[list[Row], list[str], bool]:
    """Time (a) to (d) in one scratch folder; the rows, the notes and whether checks hold."""
    from tthc_tracker.documents.letters import merge_letters, render_bundle

    files = letters[: args.n]
    with tempfile.TemporaryDirectory(prefix="bench-letters-") as scratch:
        work = Path(scratch)
        for name in ("a", "b"):
            (work / name).mkdir()
        base_s, _ = timed(lambda: baseline(args.template, files, work / "a"))
        cold_s, _ = timed(lambda: separate(args.template, files[:1], work / "b"))
        ours_s, paths = timed(lambda: separate(args.template, files, work / "b"))
        bundle, merged = work / "bundle.docx", work / "merged.docx"
        bundle_s, count = timed(
            lambda: render_bundle(args.template, letters[: args.bundle_n], bundle)
        )
        merge_s, _ = timed(lambda: merge_letters(paths, merged))
        checked = min(20, args.n)
        same = all(member(work / "a" / f"{i:05d}.docx") == member(paths[i]) for i in range(checked))
        breaks = member(bundle).count(b'<w:br w:type="page"/>')
        sizes = (bundle.stat().st_size / 1e6, merged.stat().st_size / 1e6)
        pdf_s = pdf_seconds(args.template, letters[: args.pdf_n], work) if args.pdf_n else None
    rows = [
        Row("docxtpl: load, render, save per letter (baseline)", args.n, base_s),
        Row("render_letter (cached template), separate files", args.n, cold_s + ours_s),
        Row("render_bundle, one .docx", count, bundle_s),
        Row("merge_letters of the (b) files, one .docx", args.n, merge_s),
    ]
    notes = [
        f"first render_letter (template compiled, cold cache): {cold_s * 1000:.1f} ms",
        f"render_letter == docxtpl (word/document.xml, first {checked} letters): "
        + ("yes" if same else "NO"),
        f"bundle page breaks: {breaks:,} for {count:,} letters "
        + ("(ok)" if breaks == count - 1 else "(WRONG)"),
        f"sizes: bundle {sizes[0]:.1f} MB ({count:,} letters), merged {sizes[1]:.1f} MB "
        f"({args.n:,} letters)",
        goals(rows),
    ]
    if pdf_s is not None:
        notes.append(f"LibreOffice, bundle of {args.pdf_n:,} letters to PDF: {pdf_s:.1f} s")
    return rows, notes, same and breaks == count - 1


def goals(rows: list[Row]) -> str:
    files_ok = rows[1].rate >= FILES_GOAL_PER_S
    bundle_ok = rows[2].rate >= BUNDLE_GOAL_PER_S
    return (
        f"goal separate files >= {FILES_GOAL_PER_S}/s: {'met' if files_ok else 'NOT met'}; "
        f"goal bundle >= {BUNDLE_GOAL_PER_S:,}/s: {'met' if bundle_ok else 'NOT met'}"
    )


def pdf_seconds(template: Path, letters: list[dict[str, object]], work: Path) -> float:
    from tthc_tracker.documents.letters import render_bundle
    from tthc_tracker.documents.pdf import to_pdf

    source = work / "pdf.docx"
    render_bundle(template, letters, source)
    seconds, _ = timed(lambda: to_pdf(source, work / "pdf.pdf"))
    return seconds


def report(rows: list[Row], notes: list[str], today: date) -> None:
    print("\n".join(table(rows)))
    print()
    print("\n".join(notes))
    print(f"machine: {machine()}; date {today.isoformat()}")


def write_readme(text: str) -> None:
    """Replace (or append) the section of this benchmark in benchmarks/README.md."""
    current = README.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(HEADING)}.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _match: text, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    README.write_text(updated, encoding="utf-8")


def section(rows: list[Row], notes: list[str], today: date, args: argparse.Namespace) -> str:
    command = f"python benchmarks/bench_letters.py --n {args.n} --bundle-n {args.bundle_n}"
    if args.pdf_n:
        command += f" --pdf-n {args.pdf_n}"
    return "\n".join(
        [
            f"{HEADING}: apology letters as .docx",
            "",
            "```",
            "python benchmarks/bench_letters.py [--n 1000] [--bundle-n 5000] [--pdf-n 0] "
            "[--no-readme]",
            "```",
            "",
            EXPLANATION,
            "### Results",
            "",
            f"Measured on {today.isoformat()} (machine clock, UTC) with `{command}`; this "
            "section is written by the script.",
            "",
            *table(rows),
            "",
            "```",
            *notes,
            "```",
            "",
            f"Machine: {machine()}. One process, one core (rendering is single-threaded).",
            "",
            CHOICE,
        ]
    )


EXPLANATION_TEXT = """\
One run makes distinct, realistic letters' fields with the domain layer (`letter_fields`: An
Giang sample agencies, varied applicants, codes, dates, honorifics and reasons; made before
any clock starts) and renders them with the shipped `templates/tt03-2025.docx`:

{rows}

"ratio to baseline (speed)" is letters per second divided by the baseline's letters per second
(higher is faster). The script also checks that `render_letter` writes docxtpl's
`word/document.xml` byte for byte and that the bundle has one page break fewer than letters.
Separate files cost one fsync each, so that row depends on the disk and on other work: over
four runs on 2026-11-27 it ranged from 240 letters/s (during another test suite) to 880; the
other rows by up to 30 %.
"""

TIMED = (
    (
        "docxtpl … (baseline)",
        "per letter `DocxTemplate(path)`, `render(context, jinja_env)` with autoescape and "
        "`StrictUndefined`, `save(path)`: the straightforward use of docxtpl",
    ),
    (
        "`render_letter`",
        "per letter, a separate file: NFC, atomic write (temporary file, fsync, rename), "
        "SHA-256. The template is read, patched and compiled once and cached on (path, mtime, "
        "size, inode); each letter is one Jinja render, one XML parse (docxtpl's table fixes) "
        "and one compressed zip entry appended to the other parts, compressed once. The cold "
        "first letter (compiling) is included",
    ),
    (
        "`render_bundle`",
        "`--bundle-n` letters into one .docx, one per page: each letter's body XML, rendered "
        "as for `render_letter`, is streamed into the one main part, with the page-break "
        "paragraph of `merge_letters` between letters. No document is deep-copied",
    ),
    (
        "`merge_letters`",
        "the `--n` files written by `render_letter` merged into one .docx, as `tthc letters "
        "print` does: each file's body read from its zip and parsed once (python-docx opens "
        "only the first, and any letter with pictures or links, whose ids are relinked)",
    ),
)
EXPLANATION = EXPLANATION_TEXT.format(
    rows="\n".join(["| row | what is timed |", "|---|---|", *(f"| {a} | {b} |" for a, b in TIMED)])
)

CHOICE = """\
**Which path prints.** `tthc letters print` merges the *issued files* (`merge_letters`), not a
fresh rendering of the stored data: an issued letter is immutable and its SHA-256 is
recorded, so what is printed is exactly what was issued (each file is checked against its
hash before merging). A fresh rendering could differ if the template or an agency's details
changed since. `render_bundle` is for letters rendered fresh (this benchmark, a preview of
drafts); the two give the same page for the same data (the tests compare the body XML and
LibreOffice's rendering page by page). PDF (`--pdf`) is LibreOffice's time on top of either,
which dwarfs both and grows faster than the page count (measured on 2026-11-27 on this
machine: 5.5 s for a 1,000-letter bundle, 139 s for 5,000): with its 300 s limit `--pdf`
suits batches of a few thousand letters; print larger ones per `--date` or `--agency`.
"""


if __name__ == "__main__":
    sys.exit(main())
