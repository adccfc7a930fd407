"""The error tree of tthc-tracker, written down once.

Every expected failure is a :class:`TthcError` carrying the fields that explain it. Its
``message()`` renders one Vietnamese line naming the field and the value; the CLI prints it
and exits with code 1. Anything that is not a ``TthcError`` is a bug.

    TthcError
    ├── InputError                  a value given by a user or a file is not acceptable
    │   ├── EmptyFieldError
    │   ├── InvalidTimeError
    │   ├── InvalidClockError
    │   ├── InvalidLimitError
    │   ├── InvalidChoiceError
    │   └── InvalidOfficeHoursError
    ├── NotFoundError               an agency, procedure, dossier, … that does not exist
    │   └── NothingToPrintError     no issued letter in the days asked for
    ├── DuplicateError              a code that already exists
    ├── RuleError                   the law or the lifecycle forbids the action
    │   ├── TransitionError
    │   ├── ChronologyError
    │   │   └── FutureTimeError
    │   ├── ExtensionError
    │   └── SupplementError
    ├── CalendarRangeError          a date outside the years the calendar was built for
    ├── ConfigError                 settings or shipped data are unusable
    ├── FileFormatError             a file to import cannot be read as a table
    │   └── LegacyEncodingError     its text is in TCVN3 (ABC) or VNI, not Unicode
    ├── FileAccessError             a file or folder cannot be read or written (the system said)
    └── DatabaseError               the database refused or failed (locked, unreachable, …)
"""

from __future__ import annotations

import errno as codes
from typing import ClassVar

from tthc_tracker.i18n import _


class TthcError(Exception):
    """Base class of every expected error."""

    def message(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return self.message()


class InputError(TthcError):
    """A value is not acceptable for a field."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(field, value, reason)
        self.field = field
        self.value = value
        self.reason = reason

    def message(self) -> str:
        return _("Trường “{field}”: giá trị “{value}” không hợp lệ: {reason}.").format(
            field=self.field, value=self.value, reason=self.reason
        )


class EmptyFieldError(InputError):
    def __init__(self, field: str) -> None:
        super().__init__(field, "", _("không được để trống"))

    def message(self) -> str:
        return _("Trường “{field}” không được để trống.").format(field=self.field)


class InvalidTimeError(InputError):
    def __init__(self, field: str, value: str, *, date_only: bool = False) -> None:
        super().__init__(
            field,
            value,
            _("cần một ngày có thật, dạng “YYYY-MM-DD” hoặc “DD/MM/YYYY”")
            if date_only
            else _(
                "cần dạng “YYYY-MM-DD HH:MM”, “DD/MM/YYYY HH:MM” (giờ Việt Nam) "
                "hoặc ISO 8601 có múi giờ"
            ),
        )


class InvalidClockError(InputError):
    """A time of day (a cut-off, the scheduler's hours) that is not HH:MM."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(field, value, _("cần giờ trong ngày dạng “HH:MM”, ví dụ “15:00”"))


class InvalidLimitError(InputError):
    def __init__(self, value: str, field: str = "thời hạn", *, alternatives: bool = False) -> None:
        super().__init__(
            field,
            value,
            _(
                "thời hạn nêu nhiều trường hợp hoặc một thời hạn khác kèm theo; hãy ghi một "
                "thời hạn áp dụng cho thủ tục này (mỗi trường hợp là một thủ tục riêng), ví "
                "dụ “15 ngày làm việc”"
            )
            if alternatives
            else _(
                "không đọc được thời hạn giải quyết; ví dụ hợp lệ: “3 ngày làm việc”, "
                "“0,5 ngày làm việc”, “4 giờ làm việc”, “15 ngày”, “1 tháng”, “Trong ngày”"
            ),
        )


class InvalidChoiceError(InputError):
    def __init__(self, field: str, value: str, choices: list[str]) -> None:
        super().__init__(
            field, value, _("chỉ nhận một trong: {choices}").format(choices=", ".join(choices))
        )


class InvalidOfficeHoursError(InputError):
    def __init__(self, value: str, reason: str) -> None:
        super().__init__(_("giờ làm việc"), value, reason)


class NotFoundError(TthcError):
    """Something named by its code does not exist."""

    KINDS: ClassVar[dict[str, str]] = {
        "agency": "Cơ quan",
        "procedure": "Thủ tục",
        "dossier": "Hồ sơ",
        "calendar_edit": "Điều chỉnh lịch ngày",
        "letter": "Văn bản xin lỗi",
        "letter_file": "Tệp văn bản xin lỗi",
    }

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(kind, key)
        self.kind = kind
        self.key = key

    def message(self) -> str:
        return _("{kind} “{key}” không tồn tại.").format(
            kind=_(self.KINDS.get(self.kind, self.kind)), key=self.key
        )


class DuplicateError(TthcError):
    """A code that must be unique is already used."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(kind, key)
        self.kind = kind
        self.key = key

    def message(self) -> str:
        return _("{kind} “{key}” đã tồn tại.").format(
            kind=_(NotFoundError.KINDS.get(self.kind, self.kind)), key=self.key
        )


class RuleError(TthcError):
    """The lifecycle or the law forbids the action."""


class TransitionError(RuleError):
    def __init__(self, code: str, status: str, action: str) -> None:
        super().__init__(code, status, action)
        self.code = code
        self.status = status
        self.action = action

    def message(self) -> str:
        return _("Hồ sơ “{code}” đang ở trạng thái “{status}”, không thể “{action}”.").format(
            code=self.code, status=self.status, action=self.action
        )


class ChronologyError(RuleError):
    """A time is earlier than a time it must follow (e.g. completion before receipt)."""

    def __init__(self, field: str, value: str, earlier_field: str, earlier_value: str) -> None:
        super().__init__(field, value, earlier_field, earlier_value)
        self.field = field
        self.value = value
        self.earlier_field = earlier_field
        self.earlier_value = earlier_value

    def message(self) -> str:
        return _("Trường “{field}”: {reason}.").format(field=self.field, reason=self.reason())

    def reason(self) -> str:
        """The message without the field: an import names the column itself."""
        return _("thời điểm {value} sớm hơn {earlier_field} ({earlier_value})").format(
            value=self.value, earlier_field=self.earlier_field, earlier_value=self.earlier_value
        )


class FutureTimeError(ChronologyError):
    """A time after the present: what has not happened yet cannot be recorded."""

    def __init__(self, field: str, value: str, now: str) -> None:
        super().__init__(field, value, _("thời điểm hiện tại"), now)

    def reason(self) -> str:
        return _("thời điểm {value} muộn hơn thời điểm hiện tại ({now})").format(
            value=self.value, now=self.earlier_value
        )


class NothingToCorrectError(RuleError):
    """A correction that changes nothing: every value given is the stored one."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def message(self) -> str:
        return _(
            "Hồ sơ “{code}”: không có gì để sửa (mọi giá trị đưa vào đều như trong sổ; dùng "
            "--received, --procedure, --applicant, --id-number, --address, --phone, --email "
            "hoặc --summary)."
        ).format(code=self.code)


class CorrectionError(RuleError):
    """A correction the dossier's later steps no longer allow."""

    def __init__(self, code: str, field: str, reason: str) -> None:
        super().__init__(code, field, reason)
        self.code = code
        self.field = field
        self.reason = reason

    def message(self) -> str:
        return _("Không thể sửa “{field}” của hồ sơ “{code}”: {reason}.").format(
            field=self.field, code=self.code, reason=self.reason
        )


class ExtensionError(RuleError):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason

    def message(self) -> str:
        return _("Không thể gia hạn hồ sơ “{code}”: {reason}.").format(
            code=self.code, reason=self.reason
        )


class SupplementError(RuleError):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason

    def message(self) -> str:
        return _("Không thể yêu cầu bổ sung hồ sơ “{code}”: {reason}.").format(
            code=self.code, reason=self.reason
        )


class CalendarRangeError(TthcError):
    """A day, a year or a due time outside the working calendar built (``what``: "day",
    "year", "due")."""

    def __init__(self, value: str, first_year: int, last_year: int, what: str = "day") -> None:
        super().__init__(value, first_year, last_year)
        self.value = value
        self.first_year = first_year
        self.last_year = last_year
        self.what = what

    def message(self) -> str:
        if self.what == "due":
            text = _(
                "Hạn giải quyết rơi ra ngoài lịch làm việc đã dựng ({first}–{last}): thời hạn "
                "quá dài hoặc thời điểm tiếp nhận quá xa."
            )
        elif self.what == "year":
            text = _("Năm {value} nằm ngoài lịch làm việc đã dựng ({first}–{last}).")
        else:
            text = _("Ngày {value} nằm ngoài lịch làm việc đã dựng ({first}–{last}).")
        return text.format(value=self.value, first=self.first_year, last=self.last_year)


class ConfigError(TthcError):
    def __init__(self, what: str, reason: str) -> None:
        super().__init__(what, reason)
        self.what = what
        self.reason = reason

    def message(self) -> str:
        return _("Cấu hình “{what}” không dùng được: {reason}.").format(
            what=self.what, reason=self.reason
        )


class NothingToPrintError(NotFoundError):
    """`letters print` found no issued letter in the days asked for."""

    def __init__(self) -> None:
        super().__init__("letter", "")

    def message(self) -> str:
        return _(
            "Không có văn bản xin lỗi nào đã ban hành trong khoảng ngày đã chọn; không tạo tệp in."
        )


class FileAccessError(TthcError):
    """The operating system refused to read or write a path (missing folder, no permission,
    a folder where a file was meant, disk full, …)."""

    def __init__(self, path: str, errno: int | None, detail: str) -> None:
        super().__init__(path, errno, detail)
        self.path = path
        self.errno = errno
        self.detail = detail

    def message(self) -> str:
        reasons = {
            codes.ENOENT: _("thư mục hoặc tệp không tồn tại"),
            codes.EACCES: _("không có quyền"),
            codes.EPERM: _("không có quyền"),
            codes.EISDIR: _("đây là một thư mục, cần đường dẫn tới một tệp"),
            codes.ENOTDIR: _("một phần của đường dẫn không phải là thư mục"),
            codes.ENOSPC: _("hết chỗ trên đĩa"),
            codes.EROFS: _("ổ đĩa chỉ cho đọc"),
            codes.EEXIST: _("đã có tệp cùng tên"),
            codes.ENAMETOOLONG: _("tên tệp quá dài"),
        }
        reason = reasons.get(self.errno or 0, self.detail)
        if not self.path:
            return _("Không đọc/ghi được tệp: {reason}.").format(reason=reason)
        return _("Không đọc/ghi được “{path}”: {reason}.").format(path=self.path, reason=reason)


class LetterFileError(TthcError):
    """An issued letter's file is missing or no longer what was issued."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem

    def message(self) -> str:
        return _(
            "Văn bản xin lỗi “{path}”: {problem}; không gộp tệp in (xem tthc letters verify)."
        ).format(path=self.path, problem=self.problem)


class FileExistsRefusal(TthcError):
    """A file to write is already there and ``--force`` was not given."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def message(self) -> str:
        return _("Tệp “{path}” đã có; thêm --force để ghi đè.").format(path=self.path)


class DatabaseError(TthcError):
    """The database failed an operation (locked too long, unreachable, disk full, …)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def message(self) -> str:
        return _("Cơ sở dữ liệu báo lỗi: {detail}. Không có thay đổi nào được ghi.").format(
            detail=self.detail
        )


class FileFormatError(TthcError):
    """A file given to import cannot be read as a table (format, encoding, header)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def message(self) -> str:
        return _("Không đọc được tệp “{path}”: {reason}.").format(
            path=self.path, reason=self.reason
        )


class LegacyEncodingError(FileFormatError):
    """Text typed with a legacy Vietnamese font encoding (TCVN3/ABC or VNI), not Unicode."""

    def __init__(self, path: str, encoding: str, fonts: str, where: str, sample: str) -> None:
        super().__init__(path, encoding)
        self.encoding = encoding
        self.fonts = fonts
        self.where = where
        self.sample = sample

    def message(self) -> str:
        return _(
            "Tệp “{path}” có vẻ gõ bằng bảng mã {encoding} (phông {fonts}), không phải "
            "Unicode ({where}: “{sample}”). Hãy chuyển sang Unicode rồi nhập lại: mở tệp, "
            "sao chép vùng dữ liệu, dùng Unikey → Công cụ (Ctrl+Shift+F6) → Chuyển mã, "
            "nguồn {encoding}, đích Unicode, bấm “Chuyển mã”, dán lại và lưu dạng "
            "“CSV UTF-8” hoặc .xlsx."
        ).format(
            path=self.path,
            encoding=self.encoding,
            fonts=self.fonts,
            where=self.where,
            sample=self.sample,
        )
