"""PDF through LibreOffice headless: a fresh user profile per conversion and a time limit.

The only module that starts LibreOffice. ``soffice --headless --convert-to pdf`` writes
``STEM.pdf`` into ``--outdir``; it is written into a temporary folder beside the target and
renamed into place, so a failed or killed conversion never leaves half a PDF.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tthc_tracker.domain.errors import TthcError
from tthc_tracker.i18n import _

INSTALL = "apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-liberation2"
TIMEOUT_S = 300.0
_PROGRAMS = ("soffice", "libreoffice")


class ConverterMissingError(TthcError):
    """LibreOffice is not installed (no ``soffice`` on the PATH)."""

    def message(self) -> str:
        return _(
            "Không tìm thấy LibreOffice (lệnh soffice) để chuyển sang PDF. "
            "Cài đặt bằng lệnh (quyền root): {command}"
        ).format(command=INSTALL)


class ConversionError(TthcError):
    """LibreOffice ran but gave no PDF: failed, or took longer than the time limit."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(str(path), problem)
        self.path = path
        self.problem = problem

    def message(self) -> str:
        return _("Không chuyển được “{path}” sang PDF: {problem}.").format(
            path=self.path, problem=self.problem
        )


def converter() -> str:
    """The LibreOffice program to run; :class:`ConverterMissingError` when there is none."""
    for name in _PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    raise ConverterMissingError


def to_pdf(source: Path, target: Path, timeout_s: float = TIMEOUT_S) -> Path:
    """Convert the document ``source`` into ``target`` (a .pdf); return ``target``."""
    program = converter()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="tthc-lo-profile-") as profile,
        tempfile.TemporaryDirectory(prefix=".pdf-", dir=target.parent) as outdir,
    ):
        command = [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            outdir,
            str(source),
        ]
        _run(command, source, timeout_s)
        produced = Path(outdir) / f"{source.stem}.pdf"
        if not produced.is_file():
            raise ConversionError(source, _("LibreOffice không tạo ra tệp PDF"))
        os.replace(produced, target)
    return target


def _run(command: list[str], source: Path, timeout_s: float) -> None:
    """Run LibreOffice in its own process group, killed whole when the time is up."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _out, errors = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        problem = _("quá thời gian {n:g} giây").format(n=timeout_s)
        raise ConversionError(source, problem) from None
    if process.returncode != 0:
        detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        problem = _("LibreOffice báo lỗi (mã {code}) {detail}").format(
            code=process.returncode, detail=detail[0]
        )
        raise ConversionError(source, problem.strip())
