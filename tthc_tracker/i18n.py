"""User-facing text through gettext.

Message ids are written in Vietnamese, the product's language, so the text is right even
without a compiled catalogue. Other languages (e.g. an English catalogue) are compiled with
Babel into ``tthc_tracker/locale/<lang>/LC_MESSAGES/messages.mo`` and chosen with the
``TTHC_LANG`` environment variable.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


@cache
def _translation(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    """Translate ``message`` into the language chosen by ``TTHC_LANG`` (default Vietnamese)."""
    return _translation(os.environ.get("TTHC_LANG", "vi")).gettext(message)
