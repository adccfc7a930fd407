"""The fast paths of the letters: cached templates, the print bundle, merging issued files and
PDF through LibreOffice (issue 5, "Speed"). Timing itself is measured in benchmarks/, never
here; these tests check that the fast paths give the same documents as the plain ones.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm
from lxml import etree  # type: ignore[import-untyped]

from tests.conftest import Runner, add_dossier, fails, ok
from tests.documents.test_letters_docx import (
    CODE,
    VARIANTS,
    _png,
    full_text,
    make_fields,
    mm,
    open_docx,
)
from tthc_tracker.documents import letters as letters_module
from tthc_tracker.documents import pdf as pdf_module
from tthc_tracker.documents.letters import (
    TemplateError,
    build_template,
    merge_letters,
    render_bundle,
    render_letter,
)
from tthc_tracker.documents.pdf import ConversionError, ConverterMissingError, to_pdf

HAS_PDF_TOOLS = shutil.which("soffice") is not None and shutil.which("pdffonts") is not None
NEEDS_PDF_TOOLS = pytest.mark.skipif(
    not HAS_PDF_TOOLS,
    reason="needs LibreOffice and poppler: apt-get install -y --no-install-recommends "
    "libreoffice-writer-nogui fonts-liberation2 poppler-utils",
)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    built = {}
    for variant in VARIANTS:
        built[variant] = folder / f"{variant}.docx"
        build_template(variant, built[variant])
    return built


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def core_properties(path: Path) -> dict[str, str]:
    props = open_docx(path).core_properties
    names = ("author", "comments", "identifier", "language", "subject", "title")
    return {name: getattr(props, name) or "" for name in names}


def page_breaks(document: DocxDocument) -> int:
    body = document.element.body
    return sum(1 for br in body.iter(qn("w:br")) if br.get(qn("w:type")) == "page")


def _c14n(element: BaseOxmlElement) -> bytes:
    return bytes(etree.tostring(element, method="c14n"))


def _body_c14n(path: Path) -> bytes:
    """A letter's body but its section properties, canonicalised."""
    return b"".join(_c14n(c) for c in open_docx(path).element.body if c.tag != qn("w:sectPr"))


# --- cached renders ----------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_cached_render_equals_docxtpl(
    templates: dict[str, Path], tmp_path: Path, variant: str
) -> None:
    fields = make_fields(applicant='Công ty A & B <Sao Mai> "X"')
    fields["ly_do"] = unicodedata.normalize("NFD", "Chờ xác minh\ntại Công an tỉnh.")
    fast, slow = tmp_path / "fast.docx", tmp_path / "slow.docx"
    render_letter(templates[variant], fields, fast)
    render_letter(templates[variant], fields, fast)  # from the cache
    letters_module._render_with_docxtpl(templates[variant], letters_module._context(fields), slow)
    cached, plain = members(fast), members(slow)
    assert set(cached) == set(plain)
    for name in plain:
        if name != "docProps/core.xml":  # docxtpl writes empty properties as <x></x>
            assert cached[name] == plain[name], name
    assert core_properties(fast) == core_properties(slow)
    assert full_text(open_docx(fast)) == full_text(open_docx(slow))
    assert "Chờ xác minh" in full_text(open_docx(fast))


def test_same_fields_give_the_same_bytes(templates: dict[str, Path], tmp_path: Path) -> None:
    first = render_letter(templates["tt03-2025"], make_fields(), tmp_path / "a.docx")
    again = render_letter(templates["tt03-2025"], make_fields(), tmp_path / "b.docx")
    assert first == again
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def test_template_is_compiled_once_and_again_when_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = tmp_path / "mau.docx"
    build_template("tt03-2025", template)
    compiled: list[Path] = []
    real = letters_module._compile

    def counting(path: Path) -> letters_module._Compiled:
        compiled.append(path)
        return real(path)

    monkeypatch.setattr(letters_module, "_compile", counting)
    for n in range(3):
        render_letter(template, make_fields(), tmp_path / f"{n}.docx")
    assert len(compiled) == 1
    assert "PHIẾU XIN LỖI" in full_text(open_docx(tmp_path / "2.docx"))

    build_template("cong-van", template)  # an office edits the template in place
    stat = template.stat()
    os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    render_letter(template, make_fields(), tmp_path / "edited.docx")
    assert len(compiled) == 2
    text = full_text(open_docx(tmp_path / "edited.docx"))
    assert "PHIẾU XIN LỖI" not in text
    assert "V/v xin lỗi đối với hồ sơ giải quyết quá hạn" in text


def test_a_template_that_disappears_is_a_template_error(tmp_path: Path) -> None:
    template = tmp_path / "mau.docx"
    build_template("tt03-2025", template)
    render_letter(template, make_fields(), tmp_path / "a.docx")
    template.unlink()
    with pytest.raises(TemplateError, match=r"mau\.docx"):
        render_letter(template, make_fields(), tmp_path / "b.docx")


# --- the print bundle --------------------------------------------------------------------


def bundle_fields(n: int) -> list[dict[str, object]]:
    letters = [make_fields(code=f"{CODE[:-4]}{index:04d}") for index in range(n)]
    letters[1]["kinh_gui"] = unicodedata.normalize("NFD", "Ông Lê Văn Ánh & <Con>")
    return letters


def test_bundle_has_one_page_per_letter_and_each_letters_fields(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    n = 7
    letters = bundle_fields(n)
    out = tmp_path / "in" / "bundle.docx"
    assert render_bundle(templates["tt03-2025"], iter(letters), out) == n
    document = open_docx(out)
    assert page_breaks(document) == n - 1
    body = document.element.body
    assert len(body.findall(qn("w:sectPr"))) == 1
    assert body[-1].tag == qn("w:sectPr")
    section = document.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.left_margin), mm(section.top_margin)) == (30, 20)
    assert len(document.tables) == 2 * n
    text = full_text(document)
    assert unicodedata.is_normalized("NFC", text)
    assert text.count("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == n
    for fields in letters:
        assert text.count(f"mã số hồ sơ: {fields['ma_ho_so']}") == 1
    assert "Kính gửi: Ông Lê Văn Ánh & <Con>" in text


def test_each_bundle_page_is_the_single_letter(templates: dict[str, Path], tmp_path: Path) -> None:
    letters = bundle_fields(3)
    out = tmp_path / "bundle.docx"
    render_bundle(templates["cong-van"], letters, out)
    pages: list[list[BaseOxmlElement]] = [[]]
    for child in open_docx(out).element.body:
        if child.tag == qn("w:sectPr"):
            continue
        if child.tag == qn("w:p") and child.find(f".//{qn('w:br')}") is not None:
            pages.append([])
        else:
            pages[-1].append(child)
    assert len(pages) == 3
    for index, (fields, page) in enumerate(zip(letters, pages, strict=True)):
        single = tmp_path / f"{index}.docx"
        render_letter(templates["cong-van"], fields, single)
        assert b"".join(_c14n(element) for element in page) == _body_c14n(single)


def test_bundle_of_no_letters_is_refused(templates: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        render_bundle(templates["tt03-2025"], [], tmp_path / "none.docx")
    assert not (tmp_path / "none.docx").exists()


def test_bundle_with_a_missing_field_is_a_template_error(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    letters = bundle_fields(3)
    del letters[2]["ly_do"]
    with pytest.raises(TemplateError, match="ly_do"):
        render_bundle(templates["tt03-2025"], letters, tmp_path / "bundle.docx")
    assert list(tmp_path.iterdir()) == []


def test_bundle_numbers_pictures_uniquely(tmp_path: Path) -> None:
    template = tmp_path / "logo.docx"
    document = docx.Document()
    document.add_picture(io.BytesIO(_png(120)), width=Mm(10))
    document.add_paragraph("Số: {{ so }}")
    document.save(str(template))
    out = tmp_path / "bundle.docx"
    render_bundle(template, [{"so": f"0{n}/PXL"} for n in range(1, 4)], out)
    bundle = open_docx(out)
    ids = [e.get("id") for e in bundle.element.body.iter(qn("wp:docPr"))]
    assert len(ids) == len(set(ids)) == 3
    embeds = {blip.get(qn("r:embed")) for blip in bundle.element.body.iter(qn("a:blip"))}
    assert {bundle.part.related_parts[rid].blob for rid in embeds} == {_png(120)}
    assert [p.text for p in bundle.paragraphs if p.text.startswith("Số")] == [
        "Số: 01/PXL",
        "Số: 02/PXL",
        "Số: 03/PXL",
    ]


def test_placeholders_in_a_header_take_docxtpls_path(tmp_path: Path) -> None:
    template = tmp_path / "header.docx"
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Hồ sơ {{ ma_ho_so }}"
    document.add_paragraph("Số: {{ so }}")
    document.save(str(template))
    single = tmp_path / "one.docx"
    render_letter(template, {"ma_ho_so": "HS-1", "so": "01/PXL"}, single)
    rendered = open_docx(single)
    assert rendered.sections[0].header.paragraphs[0].text == "Hồ sơ HS-1"
    assert rendered.paragraphs[0].text == "Số: 01/PXL"
    out = tmp_path / "bundle.docx"
    letters = [{"ma_ho_so": f"HS-{n}", "so": f"0{n}/PXL"} for n in (1, 2)]
    assert render_bundle(template, letters, out) == 2
    bundle = open_docx(out)
    assert page_breaks(bundle) == 1
    assert [p.text for p in bundle.paragraphs if p.text] == ["Số: 01/PXL", "Số: 02/PXL"]


# --- merging issued files ----------------------------------------------------------------


def test_merge_reads_plain_letters_without_python_docx(
    templates: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = []
    for index, fields in enumerate(bundle_fields(4)):
        paths.append(tmp_path / f"{index}.docx")
        render_letter(templates["tt01-2018"], fields, paths[-1])
    opened: list[Path] = []
    real = letters_module._open

    def counting(path: Path) -> DocxDocument:
        opened.append(path)
        return real(path)

    monkeypatch.setattr(letters_module, "_open", counting)
    merged = tmp_path / "merged.docx"
    merge_letters(paths, merged)
    assert opened == paths[:1]  # only the first, whose package the bundle keeps
    rendered = tmp_path / "rendered.docx"
    render_bundle(templates["tt01-2018"], bundle_fields(4), rendered)
    assert _body_c14n(merged) == _body_c14n(rendered)


# --- PDF ----------------------------------------------------------------------------------


def fake_soffice(folder: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``soffice`` that runs ``script``, first on the PATH."""
    folder.mkdir(exist_ok=True)
    program = folder / "soffice"
    program.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")


def test_to_pdf_without_libreoffice_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ConverterMissingError) as caught:
        to_pdf(tmp_path / "x.docx", tmp_path / "x.pdf")
    assert pdf_module.INSTALL in caught.value.message()
    assert "libreoffice-writer-nogui fonts-liberation2" in caught.value.message()


def test_to_pdf_time_limit_kills_libreoffice_and_its_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = tmp_path / "bin" / "child.pid"
    fake_soffice(
        tmp_path / "bin", f"sleep 30 >/dev/null 2>&1 & echo $! > {child}; wait", monkeypatch
    )
    source = tmp_path / "x.docx"
    source.write_bytes(b"x")
    with pytest.raises(ConversionError, match="quá thời gian"):
        to_pdf(source, tmp_path / "x.pdf", timeout_s=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "x.docx"]  # no PDF, no temp
    pid = int(child.read_text(encoding="utf-8"))
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").split()[2] != "Z"
    except FileNotFoundError:  # reaped in between
        return False


@pytest.mark.parametrize(
    ("script", "problem"),
    [("exit 0", "không tạo ra tệp PDF"), ("echo 'Error: hỏng' >&2; exit 3", "mã 3")],
)
def test_to_pdf_failures_are_conversion_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, problem: str
) -> None:
    fake_soffice(tmp_path / "bin", script, monkeypatch)
    source = tmp_path / "x.docx"
    source.write_bytes(b"x")
    with pytest.raises(ConversionError) as caught:
        to_pdf(source, tmp_path / "x.pdf")
    assert problem in caught.value.message()
    assert not (tmp_path / "x.pdf").exists()


@pytest.fixture
def issued(seeded: Runner, env: Path, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Two letters of UBND-A: HS-1 issued on Thu 05/03/2026, HS-2 on Fri 06/03/2026."""
    monkeypatch.setenv("TTHC_LETTERS_DIR", str(env / "letters"))
    monkeypatch.setenv("TTHC_OUTBOX_DIR", str(env / "outbox"))
    monkeypatch.delenv("TTHC_SMTP_HOST", raising=False)
    for code, day in (("HS-1", "2026-03-05"), ("HS-2", "2026-03-06")):
        add_dossier(seeded, code, "2026-03-04 09:00")
        reason = ("--reason", "Chờ xác minh", "--new-due", "2026-03-12 09:00")
        ok(seeded("letters", "issue", code, *reason, "--at", f"{day} 10:00"))
    return seeded


def test_print_by_date(issued: Runner, env: Path) -> None:
    out = env / "ngay.docx"
    assert (
        "Đã gộp 1 văn bản"
        in ok(issued("letters", "print", "--date", "2026-03-05", "-o", str(out))).out
    )
    text = full_text(open_docx(out))
    assert "HS-1" in text and "HS-2" not in text
    both = env / "ca-hai.docx"
    ok(issued("letters", "print", "--from", "2026-03-05", "--to", "2026-03-06", "-o", str(both)))
    assert page_breaks(open_docx(both)) == 1
    fails(
        issued("letters", "print", "--date", "2026-03-05", "--to", "2026-03-06", "-o", str(out)),
        "--date",
    )
    fails(issued("letters", "print", "--date", "2026-03-07", "-o", str(env / "khong.docx")))


def test_print_pdf_without_libreoffice_exits_1_with_the_install_hint(
    issued: Runner, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(env / "no-programs-here"))
    out = env / "in.docx"
    result = fails(issued("letters", "print", "--date", "2026-03-05", "--pdf", "-o", str(out)))
    assert "LibreOffice" in result.err
    assert pdf_module.INSTALL in result.err
    assert not out.exists()  # checked before any work


@pytest.mark.slow
@NEEDS_PDF_TOOLS
def test_print_pdf_uses_a_times_compatible_font(issued: Runner, env: Path) -> None:
    out = env / "in" / "bo.docx"
    result = ok(issued("letters", "print", "--from", "2026-03-05", "--pdf", "-o", str(out)))
    pdf = out.with_suffix(".pdf")
    assert str(pdf) in result.out
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    assert "Pages:           2" in info.stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
    assert "LiberationSerif" in fonts.stdout or "Times" in fonts.stdout
    assert sorted(p.name for p in out.parent.iterdir()) == ["bo.docx", "bo.pdf"]


@pytest.mark.slow
@NEEDS_PDF_TOOLS
def test_bundle_pages_print_exactly_as_the_single_letter(
    templates: dict[str, Path], tmp_path: Path
) -> None:
    single, bundle = tmp_path / "single.docx", tmp_path / "bundle.docx"
    render_letter(templates["tt03-2025"], make_fields(), single)
    render_bundle(templates["tt03-2025"], [make_fields()] * 2, bundle)
    images = {}
    for source in (single, bundle):
        pdf = to_pdf(source, source.with_suffix(".pdf"))
        prefix = tmp_path / source.stem
        subprocess.run(["pdftoppm", "-r", "50", "-gray", str(pdf), str(prefix)], check=True)
        images[source.stem] = sorted(tmp_path.glob(f"{source.stem}-*.pgm"))
    assert len(images["single"]) == 1
    assert len(images["bundle"]) == 2
    page = images["single"][0].read_bytes()
    assert all(image.read_bytes() == page for image in images["bundle"])
