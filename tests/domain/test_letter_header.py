"""The issuing unit's name in a letter's 70 mm header column (ND 30/2020, Phụ lục I)."""

from __future__ import annotations

import pytest

from tthc_tracker.domain.letters import UNIT_LINE, header_lines


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("SỞ TƯ PHÁP", ["SỞ TƯ PHÁP"]),  # fits: left alone
        ("ỦY BAN NHÂN DÂN XÃ THOẠI GIANG", ["ỦY BAN NHÂN DÂN", "XÃ THOẠI GIANG"]),
        ("ỦY BAN NHÂN DÂN PHƯỜNG LONG XUYÊN", ["ỦY BAN NHÂN DÂN", "PHƯỜNG LONG XUYÊN"]),
        ("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", ["SỞ NÔNG NGHIỆP", "VÀ MÔI TRƯỜNG"]),
        # most even would be "VĂN PHÒNG ĐĂNG / KÝ ĐẤT ĐAI": never inside a two-syllable word
        ("VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI", ["VĂN PHÒNG", "ĐĂNG KÝ ĐẤT ĐAI"]),
        ("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", ["TRUNG TÂM PHỤC VỤ", "HÀNH CHÍNH CÔNG"]),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", ["ABCDEFGHIJKLMNOPQRSTUVWXYZ"]),  # one word: as it is
    ],
)
def test_a_long_unit_name_is_broken_once_where_letters_break_it(
    name: str, lines: list[str]
) -> None:
    assert header_lines(name, UNIT_LINE).split("\n") == lines
