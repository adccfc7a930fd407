"""The apology-letter .docx files: ND 30/2020 layout, every field printed, escaping, NFC,
template checks and print bundles (domain.md §3.1, §4; issue 5).

Every generated document is reopened with python-docx and read back, field by field.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import subprocess
import unicodedata
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

from tthc_tracker.documents import make_templates
from tthc_tracker.documents.letters import (
    FONT,
    TemplateError,
    build_template,
    check_template,
    merge_letters,
    render_letter,
    template_fields,
)
from tthc_tracker.domain.catalog import Agency, Procedure
from tthc_tracker.domain.dossier import ApplicantKind, Channel, Dossier
from tthc_tracker.domain.errors import InvalidChoiceError, TthcError
from tthc_tracker.domain.letters import (
    LETTER_FIELDS,
    Honorific,
    LetterFacts,
    Template,
    letter_fields,
)
from tthc_tracker.domain.limits import parse_limit
from tthc_tracker.domain.times import LOCAL_TZ

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = [t.value for t in Template]
PROCEDURE = (
    "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
)
CODE = "000.00.53.H48-260226-0099"
REASON = "Hồ sơ cần xác minh thêm thông tin tại Công an tỉnh."
SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


def make_fields(
    code: str = CODE,
    applicant: str = "Trần Thị Mỹ Hạnh",
    kind: ApplicantKind = ApplicantKind.PERSON,
    reason: str = REASON,
) -> dict[str, object]:
    """A realistic letter, decided by the domain layer from hand-made records."""
    agency = Agency(
        code="STP-AG",
        name="Sở Tư pháp",
        parent="UBND tỉnh An Giang",
        place="Rạch Giá",
        signer_title="Giám đốc",
        signer_name="Nguyễn Văn Bình",
        short_name="Sở Tư pháp",
    )
    receiving = Agency(code="HCC-AG", name="Trung tâm Phục vụ hành chính công tỉnh An Giang")
    procedure = Procedure(
        code="1.001612",
        name=PROCEDURE,
        field="Lý lịch tư pháp",
        limit=parse_limit("10 ngày làm việc"),
        limit_text="10 ngày làm việc",
    )
    dossier = Dossier(
        code=code,
        procedure_code=procedure.code,
        receiving_agency=receiving.code,
        processing_agency=agency.code,
        returning_agency=receiving.code,
        applicant_name=applicant,
        channel=Channel.DIRECT,
        received_at=at(2026, 2, 26, 9, 0),
        original_due_at=at(2026, 3, 6, 9, 0),
        due_at=at(2026, 3, 6, 9, 0),
        applicant_kind=kind,
        id_number="091186001234",
    )
    facts = LetterFacts(
        number=1,
        issued_on=date(2026, 3, 5),
        reason=reason,
        new_due_at=at(2026, 3, 12, 16, 0),
        honorific=Honorific.MRS,
    )
    return letter_fields(dossier, procedure, agency, receiving, facts)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    built = {}
    for variant in VARIANTS:
        built[variant] = folder / f"{variant}.docx"
        build_template(variant, built[variant])
    return built


@pytest.fixture(scope="module")
def letters(
    templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("letters")
    out = {}
    for variant, template in templates.items():
        out[variant] = folder / f"{variant}.docx"
        render_letter(template, make_fields(), out[variant])
    return out


def mm(length: int | None) -> float:
    """A length in millimetres, to 0.1 mm (Word stores twips: Mm(210) reads back 210.0009)."""
    assert length is not None
    return round(length / Mm(1), 1)


def open_docx(path: Path) -> DocxDocument:
    return docx.Document(str(path))


def all_paragraphs(document: DocxDocument) -> Iterator[Paragraph]:
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def full_text(document: DocxDocument) -> str:
    return "\n".join(p.text for p in all_paragraphs(document))


def paragraph_with(document: DocxDocument, start: str) -> Paragraph:
    found = [p for p in all_paragraphs(document) if p.text.startswith(start)]
    assert found, f"no paragraph starts with {start!r}"
    return found[0]


def header_table(document: DocxDocument) -> Table:
    first = document.element.body[0]
    assert first.tag == qn("w:tbl"), "the letter must open with the header table"
    return document.tables[0]


# --- page and fonts ----------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_page_is_a4_portrait_with_nd30_margins(letters: dict[str, Path], variant: str) -> None:
    document = open_docx(letters[variant])
    assert len(document.sections) == 1
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (20, 20)
    assert (mm(section.left_margin), mm(section.right_margin)) == (30, 15)


def _assert_times_vi(rpr: BaseOxmlElement | None) -> None:
    assert rpr is not None
    fonts = rpr.find(qn("w:rFonts"))
    assert fonts is not None
    assert {slot: fonts.get(qn(f"w:{slot}")) for slot in SLOTS} == dict.fromkeys(SLOTS, FONT)
    assert not [name for name in fonts.attrib if "heme" in name], "theme fonts must be gone"
    lang = rpr.find(qn("w:lang"))
    assert lang is not None
    assert lang.get(qn("w:val")) == "vi-VN"


@pytest.mark.parametrize("variant", VARIANTS)
def test_times_new_roman_in_all_four_slots_and_vietnamese(
    letters: dict[str, Path], variant: str
) -> None:
    document = open_docx(letters[variant])
    styles = document.styles.element
    _assert_times_vi(styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}"))
    _assert_times_vi(document.styles["Normal"].element.rPr)
    for fonts in styles.iter(qn("w:rFonts")):
        assert not [name for name in fonts.attrib if "heme" in name]
    for paragraph in all_paragraphs(document):
        assert paragraph.style is not None
        assert paragraph.style.name == "Normal"
        for run in paragraph.runs:
            own = run._r.rPr.find(qn("w:rFonts")) if run._r.rPr is not None else None
            if own is not None:  # a run may only repeat the default
                assert all(own.get(qn(f"w:{slot}")) == FONT for slot in SLOTS)


# --- header, title, body ---------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_header_is_a_borderless_two_column_table(letters: dict[str, Path], variant: str) -> None:
    table = header_table(open_docx(letters[variant]))
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    sides = {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
    assert set(sides) == {"top", "left", "bottom", "right", "insideH", "insideV"}
    assert set(sides.values()) <= {"nil", "none"}
    assert len(table.columns) == 2
    widths = [mm(column.width) for column in table.columns]
    assert sum(widths) == pytest.approx(165, abs=0.5)
    assert 0.38 < widths[0] / 165 < 0.5
    for row in table.rows:
        assert [mm(cell.width) for cell in row.cells] == widths
    tbl_width = table._tbl.tblPr.find(qn("w:tblW"))
    assert tbl_width.get(qn("w:type")) == "dxa"
    assert mm(Twips(int(tbl_width.get(qn("w:w"))))) == pytest.approx(165, abs=0.5)
    texts = [cell.text for cell in table.rows[0].cells]
    assert texts[0].splitlines() == ["UBND TỈNH AN GIANG", "SỞ TƯ PHÁP"]
    assert texts[1].splitlines() == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]


@pytest.mark.parametrize("variant", VARIANTS)
def test_header_has_the_short_rules(letters: dict[str, Path], variant: str) -> None:
    table = header_table(open_docx(letters[variant]))
    for cell in table.rows[0].cells:
        ruled = [p for p in cell.paragraphs if p._p.find(f".//{qn('w:pBdr')}") is not None]
        assert len(ruled) == 1
        assert ruled[0].text == ""
        ppr = ruled[0]._p.pPr
        tags = [child.tag for child in ppr]
        assert tags.index(qn("w:pBdr")) < tags.index(qn("w:spacing")) < tags.index(qn("w:ind"))


@pytest.mark.parametrize("variant", VARIANTS)
def test_header_lines_are_bold_upper_and_date_italic(
    letters: dict[str, Path], variant: str
) -> None:
    document = open_docx(letters[variant])
    unit = paragraph_with(document, "SỞ TƯ PHÁP")
    assert all(run.bold for run in unit.runs)
    assert unit.alignment == WD_ALIGN_PARAGRAPH.CENTER
    parent = paragraph_with(document, "UBND TỈNH AN GIANG")
    assert not any(run.bold for run in parent.runs)
    nation = paragraph_with(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert all(run.bold for run in nation.runs)
    date_line = paragraph_with(document, "Rạch Giá, ")
    assert date_line.text == "Rạch Giá, ngày 05 tháng 3 năm 2026"
    assert all(run.italic for run in date_line.runs)
    assert all(run.font.size is not None and run.font.size.pt == 14 for run in date_line.runs)
    assert paragraph_with(document, "Số: ").text == "Số: 01/PXL"


@pytest.mark.parametrize(
    ("variant", "title"),
    [
        ("tt03-2025", "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"),
        ("tt01-2018", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
    ],
)
def test_form_title_is_bold_centred_upper(
    letters: dict[str, Path], variant: str, title: str
) -> None:
    paragraph = paragraph_with(open_docx(letters[variant]), "PHIẾU XIN LỖI")
    assert paragraph.text == title
    assert all(run.bold for run in paragraph.runs)
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_cong_van_has_subject_line_and_no_form_title(letters: dict[str, Path]) -> None:
    document = open_docx(letters["cong-van"])
    text = full_text(document)
    assert "PHIẾU XIN LỖI" not in text
    number_cell = header_table(document).rows[1].cells[0]
    assert number_cell.text.splitlines() == [
        "Số: 01/PXL",
        "V/v xin lỗi đối với hồ sơ giải quyết quá hạn và hẹn lại thời gian trả kết quả",
    ]


@pytest.mark.parametrize("variant", VARIANTS)
def test_body_is_justified_with_first_line_indent(letters: dict[str, Path], variant: str) -> None:
    document = open_docx(letters[variant])
    body = [p for p in document.paragraphs if p.text.startswith(("Vào ", "Lý do:", "Mong "))]
    assert len(body) == 3
    for paragraph in body:
        fmt = paragraph.paragraph_format
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert fmt.first_line_indent == Cm(1.27)
        assert fmt.space_after is not None
        assert fmt.space_after.pt >= 6
        assert isinstance(fmt.line_spacing, float)
        assert 1.15 <= fmt.line_spacing <= 1.3
        assert all(run.font.size is not None and run.font.size.pt == 14 for run in paragraph.runs)
    assert body[-1].text.endswith("./.")
    addressee = paragraph_with(document, "Kính gửi: ")
    assert addressee.text == "Kính gửi: Bà Trần Thị Mỹ Hạnh"
    assert addressee.alignment == WD_ALIGN_PARAGRAPH.CENTER


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_field_value_is_printed(letters: dict[str, Path], variant: str) -> None:
    text = full_text(open_docx(letters[variant]))
    for expected in (
        "Số: 01/PXL",
        "Rạch Giá, ngày 05 tháng 3 năm 2026",
        "Kính gửi: Bà Trần Thị Mỹ Hạnh",
        "Vào ngày 26 tháng 02 năm 2026, Sở Tư pháp tiếp nhận",
        f"thủ tục hành chính {PROCEDURE} của Bà",
        "số định danh: 091186001234",
        f"mã số hồ sơ: {CODE}",
        "09 giờ 00, ngày 06 tháng 3 năm 2026",
        f"Lý do: {REASON}",
        "sẽ trả kết quả giải quyết hồ sơ cho Bà vào 16 giờ 00, ngày 12 tháng 3 năm 2026.",
        "GIÁM ĐỐC",
        "(Ký và ghi rõ họ tên)",
        "Nguyễn Văn Bình",
    ):
        assert expected in text, expected
    assert "{{" not in text
    assert "{%" not in text


@pytest.mark.parametrize("variant", VARIANTS)
def test_signature_block_and_recipients(letters: dict[str, Path], variant: str) -> None:
    document = open_docx(letters[variant])
    table = document.tables[-1]
    recipients, signer = table.rows[0].cells
    lines = [p for p in recipients.paragraphs if p.text]
    assert [p.text for p in lines] == [
        "Nơi nhận:",
        "- Như trên;",
        "- Trung tâm Phục vụ hành chính công tỉnh An Giang;",
        "- Lưu: VT.",
    ]
    head = lines[0]
    assert all(run.bold and run.italic and run.font.size.pt == 12 for run in head.runs)
    for entry in lines[1:]:
        assert all(run.font.size is not None and run.font.size.pt == 11 for run in entry.runs)
    signed = [p for p in signer.paragraphs if p.text]
    assert [p.text for p in signed] == ["GIÁM ĐỐC", "(Ký và ghi rõ họ tên)", "Nguyễn Văn Bình"]
    assert all(run.bold for run in signed[0].runs)
    assert all(run.italic for run in signed[1].runs)
    assert all(run.bold for run in signed[2].runs)
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {child.get(qn("w:val")) for child in borders} <= {"nil", "none"}


def test_organisation_is_addressed_by_name(templates: dict[str, Path], tmp_path: Path) -> None:
    fields = make_fields(applicant="Công ty TNHH Sao Mai", kind=ApplicantKind.ORGANISATION)
    out = tmp_path / "org.docx"
    render_letter(templates["tt03-2025"], fields, out)
    text = full_text(open_docx(out))
    assert "Kính gửi: Công ty TNHH Sao Mai" in text
    assert "Mong nhận được sự thông cảm của Công ty TNHH Sao Mai vì sự chậm trễ này./." in text


# --- escaping, NFC, errors -------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_ampersand_angle_brackets_and_quotes_print_literally(
    templates: dict[str, Path], tmp_path: Path, variant: str
) -> None:
    name = 'Công ty TNHH A & B <Việt Nam> "Sao Mai"'
    reason = "Chờ ý kiến Sở Tài nguyên & Môi trường (> 3 ngày) <khẩn>"
    fields = make_fields(applicant=name, kind=ApplicantKind.ORGANISATION, reason=reason)
    out = tmp_path / f"{variant}.docx"
    render_letter(templates[variant], fields, out)
    text = full_text(open_docx(out))
    assert f"Kính gửi: {name}" in text
    assert f"Lý do: {reason}" in text
    assert "&amp;" not in text
    assert "&lt;" not in text


def test_all_text_is_nfc_even_from_nfd_input(templates: dict[str, Path], tmp_path: Path) -> None:
    fields = make_fields()
    fields["kinh_gui"] = unicodedata.normalize("NFD", "Bà Trần Thị Mỹ Hạnh")
    fields["ly_do"] = unicodedata.normalize("NFD", REASON)
    fields["noi_nhan"] = [unicodedata.normalize("NFD", "Như trên"), "UBND phường Rạch Giá"]
    out = tmp_path / "nfc.docx"
    render_letter(templates["tt03-2025"], fields, out)
    text = full_text(open_docx(out))
    assert unicodedata.is_normalized("NFC", text)
    assert "Kính gửi: Bà Trần Thị Mỹ Hạnh" in text
    assert "- Như trên;" in text


@pytest.mark.parametrize("variant", VARIANTS)
def test_missing_field_is_an_error_not_a_blank(
    templates: dict[str, Path], tmp_path: Path, variant: str
) -> None:
    fields = make_fields()
    del fields["ly_do"]
    out = tmp_path / "missing.docx"
    with pytest.raises(TemplateError) as caught:
        render_letter(templates[variant], fields, out)
    message = caught.value.message()
    assert "ly_do" in message
    assert str(templates[variant]) in message
    assert isinstance(caught.value, TthcError)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_unreadable_template_is_a_template_error(tmp_path: Path) -> None:
    broken = tmp_path / "hỏng.docx"
    broken.write_text("not a zip", encoding="utf-8")
    for template in (broken, tmp_path / "absent.docx"):
        with pytest.raises(TemplateError) as caught:
            render_letter(template, make_fields(), tmp_path / "out.docx")
        assert str(template) in caught.value.message()
        with pytest.raises(TemplateError):
            template_fields(template)


def test_bad_jinja_syntax_is_a_template_error(tmp_path: Path) -> None:
    template = tmp_path / "syntax.docx"
    document = docx.Document()
    document.add_paragraph("Số: {{ so }")
    document.add_paragraph("{% if %}")
    document.save(str(template))
    with pytest.raises(TemplateError, match="cú pháp"):
        render_letter(template, make_fields(), tmp_path / "out.docx")


def test_render_returns_the_sha256_and_leaves_no_temporary_file(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "letters" / "2026" / "01-PXL.docx"
    digest = render_letter(templates["tt03-2025"], make_fields(), out)
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()
    out.write_bytes(b"old")  # replaced atomically
    digest = render_letter(templates["tt03-2025"], make_fields(), out)
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()
    assert [p.name for p in out.parent.iterdir()] == ["01-PXL.docx"]


# --- templates -------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_placeholder_sits_in_one_run(templates: dict[str, Path], variant: str) -> None:
    document = open_docx(templates[variant])
    texts = [t.text or "" for t in document.element.body.iter(qn("w:t"))]
    tags = [t for t in texts if "{" in t or "}" in t]
    assert tags
    for text in tags:
        assert text.count("{{") == text.count("}}")
        assert text.count("{%") == text.count("%}")


@pytest.mark.parametrize("variant", VARIANTS)
def test_templates_use_exactly_the_letter_fields(templates: dict[str, Path], variant: str) -> None:
    assert template_fields(templates[variant]) == set(LETTER_FIELDS)
    assert check_template(templates[variant], LETTER_FIELDS) == (set(), set())


@pytest.mark.parametrize("variant", VARIANTS)
def test_shipped_templates_are_current(templates: dict[str, Path], variant: str) -> None:
    shipped = ROOT / "templates" / f"{variant}.docx"
    assert shipped.is_file(), "run python -m tthc_tracker.documents.make_templates"
    assert check_template(shipped, LETTER_FIELDS) == (set(), set())
    assert full_text(open_docx(shipped)) == full_text(open_docx(templates[variant]))


def test_check_template_reports_unknown_and_unused_fields(tmp_path: Path) -> None:
    template = tmp_path / "office.docx"
    document = docx.Document()
    document.add_paragraph("Số: {{ so }} – mã hồ sơ {{ ma_ho_so }}")
    document.add_paragraph("Lý do: {{ ly_doo }} {{ foo }}")
    document.save(str(template))
    unknown, unused = check_template(template, LETTER_FIELDS)
    assert unknown == {"ly_doo", "foo"}
    assert unused == set(LETTER_FIELDS) - {"so", "ma_ho_so"}
    assert "ly_do" in unused


def test_unknown_variant_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidChoiceError, match="tt03-2025"):
        build_template("tt99", tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


def test_make_templates_writes_the_three_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert make_templates.main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{v}.docx" for v in VARIANTS)
    assert capsys.readouterr().out.count(".docx") == 3


# --- print bundle ----------------------------------------------------------------------


def test_merge_puts_each_letter_on_its_own_page(templates: dict[str, Path], tmp_path: Path) -> None:
    codes = [f"000.00.53.H48-260226-00{n:02d}" for n in (1, 2, 3)]
    paths = []
    for code, variant in zip(codes, VARIANTS, strict=True):
        paths.append(tmp_path / f"{code}.docx")
        render_letter(templates[variant], make_fields(code=code), paths[-1])
    bundle = tmp_path / "print" / "bundle.docx"
    merge_letters(paths, bundle)
    document = open_docx(bundle)
    body = document.element.body
    breaks = [b for b in body.iter(qn("w:br")) if b.get(qn("w:type")) == "page"]
    assert len(breaks) == 2
    assert len(body.findall(qn("w:sectPr"))) == 1
    assert body[-1].tag == qn("w:sectPr")
    section = document.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert mm(section.left_margin) == 30
    text = full_text(document)
    for code in codes:
        assert text.count(f"mã số hồ sơ: {code}") == 1
    assert text.count("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == 3
    assert len(document.tables) == 6


def _png(red: int) -> bytes:
    """A valid 1×1 PNG of the given red level."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, red, 0, 0]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_merge_keeps_pictures_an_office_added(tmp_path: Path) -> None:
    paths = []
    for red in (10, 200):
        document = docx.Document()
        document.add_paragraph(f"Thư {red}")
        document.add_picture(io.BytesIO(_png(red)), width=Mm(10))
        paths.append(tmp_path / f"{red}.docx")
        document.save(str(paths[-1]))
    merge_letters(paths, tmp_path / "bundle.docx")
    bundle = open_docx(tmp_path / "bundle.docx")
    embeds = [blip.get(qn("r:embed")) for blip in bundle.element.body.iter(qn("a:blip"))]
    assert len(embeds) == 2
    blobs = {bundle.part.related_parts[rid].blob for rid in embeds}
    assert blobs == {_png(10), _png(200)}


def test_merge_of_an_unreadable_letter_is_a_template_error(
    letters: dict[str, Path], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(TemplateError, match=r"broken\.docx"):
        merge_letters([letters["tt03-2025"], broken], tmp_path / "bundle.docx")
    assert not (tmp_path / "bundle.docx").exists()


# --- what a person sees ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdffonts") is None,
    reason="needs libreoffice-writer-nogui, fonts-liberation2 and poppler-utils",
)
def test_pdf_is_one_page_in_a_times_compatible_font(
    letters: dict[str, Path], tmp_path: Path
) -> None:
    profile = (tmp_path / "lo-profile").as_uri()
    sources = [str(path) for path in letters.values()]
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *sources,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for variant in VARIANTS:
        pdf = tmp_path / f"{variant}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
        assert "Pages:           1" in info.stdout
        fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
        assert "LiberationSerif" in fonts.stdout or "TimesNewRoman" in fonts.stdout
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert "Độc lập - Tự do - Hạnh phúc" in text
        assert "Trần Thị Mỹ Hạnh" in text
