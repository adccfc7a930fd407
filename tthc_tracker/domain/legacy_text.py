"""Recognising Vietnamese typed in the legacy font encodings TCVN3 (ABC) and VNI.

Before Unicode, Vietnamese was typed with fonts that drew Vietnamese letters in place of
Latin-1 ones: in TCVN3 (fonts .VnTime, .VnArial …) "Nguyễn Văn Đức" is stored as
"NguyÔn V¨n §øc"; in VNI (fonts VNI-Times, VNI-Helve …) as "Nguyeãn Vaên Ñöùc". Such text
reads as garbage once the font is gone, and guessing it back is unsafe: the import refuses it
and says how to convert it (Unikey's "Chuyển mã").

The test is a count of tell-tale characters that proper Vietnamese never uses, compared
with the count of real Vietnamese letters outside Latin-1 (ă, đ, ơ, ư, ạ, ế, …):

- TCVN3: each character of ``TCVN3_MARKS``;
- VNI: a letter of ``VNI_BEFORE_TONE`` followed by one of ``VNI_TONES`` ("eã" is ễ, "aø"
  is à), a letter of ``VNI_BEFORE_HAT`` followed by one of ``VNI_HATS`` ("aâ" is â; "quân"
  and "yêu" have u and y before â/ê, which stay allowed), and each of ``VNI_ALONE`` ("Ñ" is
  Đ, "ö" is ư) not already counted as the first letter of a pair. Matches do not overlap:
  that is the count of the regular expression
  ``[VNI_BEFORE_TONE][VNI_TONES]|[VNI_BEFORE_HAT][VNI_HATS]|[VNI_ALONE]`` found left to right.

A file's whole text is counted at once (hundreds of megabytes for a large import), so the
count is done on arrays: each UTF-16 code unit looked up in a table of flags, the pairs found
by comparing each flag with the next one's. No set above holds a surrogate, so a character
outside the Basic Multilingual Plane (two units) counts as nothing, as it should; a lone
surrogate (possible in a JSON file's escapes) is one unit that counts as nothing too.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

TCVN3 = "TCVN3 (ABC)"
VNI = "VNI Windows"
FONTS = {TCVN3: ".VnTime, .VnArial", VNI: "VNI-Times, VNI-Helve"}

# TCVN3 puts ă â ê ô ơ ư đ Ă Â Ê Ô Ơ Ư Đ at ¨ © ª « ¬ ­ ® ¡ ¢ £ ¤ ¥ ¦ §, and many toned
# vowels at further Latin-1 symbols and letters that Vietnamese does not have.
TCVN3_MARKS = "¡¢£¤¥¦§¨©ª«¬\u00ad®µ¶·¸¹»¼½¾ÆÇËÎÏÐ×ØÜÞß"
# VNI writes a base letter followed by its marks. A plain vowel followed by ù ø û õ ï, or
# a, e, o followed by â ê, does not occur in Vietnamese.
VNI_BEFORE_TONE = "aeiouyAEIOUYôöÔÖ"
VNI_TONES = "ùøûõïÙØÛÕÏ"
VNI_BEFORE_HAT = "aeoAEO"
VNI_HATS = "âêÂÊ"
VNI_ALONE = "ñÑöÖ"
VIETNAMESE_RANGES = ((0x0100, 0x01B0), (0x1EA0, 0x1EF9))  # inclusive: ă … ư, Ạ … ỹ

_TCVN3, _BEFORE_TONE, _TONE, _BEFORE_HAT, _HAT, _ALONE, _VIETNAMESE = 1, 2, 4, 8, 16, 32, 64
_ALONE_BEFORE_TONE = 128  # ö Ö: alone, or the first letter of a tone pair
_CHUNK = 1 << 22  # characters counted at a time


def _flags() -> NDArray[np.uint8]:
    table = np.zeros(1 << 16, dtype=np.uint8)
    for flag, characters in (
        (_TCVN3, TCVN3_MARKS),
        (_BEFORE_TONE, VNI_BEFORE_TONE),
        (_TONE, VNI_TONES),
        (_BEFORE_HAT, VNI_BEFORE_HAT),
        (_HAT, VNI_HATS),
        (_ALONE, VNI_ALONE),
        (_ALONE_BEFORE_TONE, set(VNI_ALONE) & set(VNI_BEFORE_TONE)),
    ):
        for character in characters:
            table[ord(character)] |= flag
    for first, last in VIETNAMESE_RANGES:
        table[first : last + 1] |= _VIETNAMESE
    return table


_FLAGS = _flags()
# The shifts below line a character's "before" flag up with the next one's tone or hat flag.
assert _BEFORE_TONE << 1 == _TONE and _BEFORE_HAT << 1 == _HAT
assert _ALONE_BEFORE_TONE >> 5 == _TONE


class Counts(NamedTuple):
    """Tell-tale characters of each legacy encoding, and real Vietnamese letters."""

    tcvn3: int
    vni: int
    vietnamese: int


def counts(text: str) -> Counts:
    """Count ``text``'s TCVN3 marks, VNI marks and Vietnamese letters (see the module)."""
    tcvn3 = vni = vietnamese = 0
    before = np.zeros(1, dtype=np.uint8)  # the flags of the character before the chunk
    for start in range(0, len(text), _CHUNK):
        units = np.frombuffer(
            text[start : start + _CHUNK].encode("utf-16-le", "surrogatepass"), np.uint16
        )
        flags = _FLAGS[units]
        previous = np.concatenate((before, flags[:-1]))
        tcvn3 += int(np.count_nonzero(flags & _TCVN3))
        vietnamese += int(np.count_nonzero(flags & _VIETNAMESE))
        pairs = np.count_nonzero((previous << 1) & flags & (_TONE | _HAT))
        # an ö or Ö followed by a tone is a pair, not also a letter alone
        taken = np.count_nonzero((previous >> 5) & flags & _TONE)
        vni += int(np.count_nonzero(flags & _ALONE)) + int(pairs) - int(taken)
        before = flags[-1:]
    return Counts(tcvn3, vni, vietnamese)


def legacy_encoding(text: str) -> str | None:
    """The legacy encoding ``text`` seems to be typed in, or None for ordinary text."""
    found = counts(text)
    best, count = (TCVN3, found.tcvn3) if found.tcvn3 >= found.vni else (VNI, found.vni)
    if count >= 2 and count > found.vietnamese:
        return best
    # A short file (one name): marks of both kinds and not one real Vietnamese letter — a
    # Vietnamese name typed in TCVN3 ("NguyÔn ThÞ Thñy" has Þ, and ñ, VNI's Đ) — is legacy
    # too; a single foreign letter ("Café ñ", "Straße") is not.
    if found.tcvn3 + found.vni >= 2 and found.vietnamese == 0:
        return best
    return None


def marks(text: str, encoding: str) -> int:
    """How many tell-tale characters of ``encoding`` ``text`` has."""
    found = counts(text)
    return found.tcvn3 if encoding == TCVN3 else found.vni
