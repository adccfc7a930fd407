"""Recognising Vietnamese typed in the legacy font encodings TCVN3 (ABC) and VNI.

Before Unicode, Vietnamese was typed with fonts that drew Vietnamese letters in place of
Latin-1 ones: in TCVN3 (fonts .VnTime, .VnArial …) "Nguyễn Văn Đức" is stored as
"NguyÔn V¨n §øc"; in VNI (fonts VNI-Times, VNI-Helve …) as "Nguyeãn Vaên Ñöùc". Such text
reads as garbage once the font is gone, and guessing it back is unsafe: the import refuses it
and says how to convert it (Unikey's "Chuyển mã").

The test is a count of tell-tale characters that proper Vietnamese never uses, compared
with the count of real Vietnamese letters outside Latin-1 (ă, đ, ơ, ư, ạ, ế, …).
"""

from __future__ import annotations

import re

TCVN3 = "TCVN3 (ABC)"
VNI = "VNI Windows"
FONTS = {TCVN3: ".VnTime, .VnArial", VNI: "VNI-Times, VNI-Helve"}

# TCVN3 puts ă â ê ô ơ ư đ Ă Â Ê Ô Ơ Ư Đ at ¨ © ª « ¬ ­ ® ¡ ¢ £ ¤ ¥ ¦ §, and many toned
# vowels at further Latin-1 symbols and letters that Vietnamese does not have.
_TCVN3_MARKS = re.compile("[¡¢£¤¥¦§¨©ª«¬\u00ad®µ¶·¸¹»¼½¾ÆÇËÎÏÐ×ØÜÞß]")
# VNI writes a base letter followed by its marks: "eã" (ễ), "aø" (à), "aâ" (â), "Ñ" (Đ),
# "ö" (ư). A plain vowel followed by ù ø û õ ï, or a, e, o followed by â ê, does not occur in
# Vietnamese ("quân" and "yêu" have u and y before â/ê, which stay allowed).
_VNI_MARKS = re.compile("[aeiouyAEIOUYôöÔÖ][ùøûõïÙØÛÕÏ]|[aeoAEO][âêÂÊ]|[ñÑöÖ]")
_VIETNAMESE = re.compile("[\u0100-\u01b0\u1ea0-\u1ef9]")


def legacy_encoding(text: str) -> str | None:
    """The legacy encoding ``text`` seems to be typed in, or None for ordinary text."""
    tcvn3 = len(_TCVN3_MARKS.findall(text))
    vni = len(_VNI_MARKS.findall(text))
    best, count = (TCVN3, tcvn3) if tcvn3 >= vni else (VNI, vni)
    if count >= 2 and count > len(_VIETNAMESE.findall(text)):  # counted only when needed
        return best
    return None


def marks(text: str, encoding: str) -> int:
    """How many tell-tale characters of ``encoding`` ``text`` has."""
    return len((_TCVN3_MARKS if encoding == TCVN3 else _VNI_MARKS).findall(text))
