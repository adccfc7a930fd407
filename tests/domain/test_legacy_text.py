"""The legacy-encoding count on arrays against its definition as regular expressions."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tthc_tracker.domain import legacy_text
from tthc_tracker.domain.legacy_text import (
    TCVN3,
    TCVN3_MARKS,
    VNI,
    VNI_ALONE,
    VNI_BEFORE_HAT,
    VNI_BEFORE_TONE,
    VNI_HATS,
    VNI_TONES,
    counts,
    legacy_encoding,
    marks,
)

# The definitions the module states, written as the regular expressions they were before
# the count moved to arrays.
TCVN3_PATTERN = re.compile(f"[{TCVN3_MARKS}]")
VNI_PATTERN = re.compile(
    f"[{VNI_BEFORE_TONE}][{VNI_TONES}]|[{VNI_BEFORE_HAT}][{VNI_HATS}]|[{VNI_ALONE}]"
)
VIETNAMESE_PATTERN = re.compile("[\u0100-\u01b0\u1ea0-\u1ef9]")

# Every character the count looks at, their neighbours in the tables, and a few others:
# plain letters, line ends, a character outside the BMP (two UTF-16 units), lone surrogates.
ALPHABET = (
    TCVN3_MARKS
    + VNI_BEFORE_TONE
    + VNI_TONES
    + VNI_BEFORE_HAT
    + VNI_HATS
    + VNI_ALONE
    + "\u00ff\u0100\u01b0\u01b1\u1e9f\u1ea0\u1ef9\u1efaăđươạếĐ"
    + 'qxz ,"\n\r'
    + "\U0001f600"
    + "\ud800\udfff"  # lone surrogates, as a JSON file's escapes may give
)


def reference(text: str) -> tuple[int, int, int]:
    return (
        len(TCVN3_PATTERN.findall(text)),
        len(VNI_PATTERN.findall(text)),
        len(VIETNAMESE_PATTERN.findall(text)),
    )


@settings(max_examples=400)
@given(text=st.text(alphabet=ALPHABET, max_size=60), chunk=st.sampled_from([1, 2, 3, 7, 64]))
def test_counts_agree_with_the_regular_expressions(text: str, chunk: int) -> None:
    # small chunks put pairs across chunk boundaries
    saved = legacy_text._CHUNK
    legacy_text._CHUNK = chunk
    try:
        assert tuple(counts(text)) == reference(text)
    finally:
        legacy_text._CHUNK = saved


def test_pairs_do_not_overlap_and_alone_letters_count_once() -> None:
    assert counts("öù").vni == 1  # a pair: not also ö alone
    assert counts("ööù").vni == 2  # ö alone, then the pair
    assert counts("aâù").vni == 1  # â starts nothing: only "aâ"
    assert counts("quân yêu").vni == 0
    assert counts("Ñoàn").vni == 1


def test_legacy_text_is_recognised_and_unicode_is_not() -> None:
    assert legacy_encoding("NguyÔn V¨n §øc") == TCVN3
    assert legacy_encoding("Nguyeãn Vaên Ñöùc") == VNI
    assert legacy_encoding("Nguyễn Văn Đức, số 12 đường Lê Lợi") is None
    assert legacy_encoding("") is None
    # one tell-tale character alone is not enough, nor fewer than the real letters
    assert legacy_encoding("Café ñ") is None
    assert legacy_encoding("Ñ Ñ ữ ữ ữ") is None
    # one name alone: a mark of each kind and no real Vietnamese letter is legacy text
    assert legacy_encoding("NguyÔn ThÞ Thñy") == TCVN3
    assert legacy_encoding("Müller Straße") is None
    assert legacy_encoding("Muñoz, Straße 4, Hà Nội") is None  # real letters: Unicode
    assert marks("NguyÔn V¨n §øc", TCVN3) == 2  # ¨ §
    assert marks("Nguyeãn Vaên Ñöùc", VNI) == 3  # aâ, Ñ, öù
