"""The law's time limits around a dossier at rest: ``data/rules.toml`` (supplement limits,
versioned by the date they take effect)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from tthc_tracker.domain.errors import ConfigError, TthcError
from tthc_tracker.domain.limits import parse_limit
from tthc_tracker.domain.supplement import SupplementRule, SupplementRules
from tthc_tracker.domain.times import nfc

RULES_FILE = "rules.toml"


def load_rules(path: Path) -> SupplementRules:
    """Read ``data/rules.toml``; a missing or malformed file is a :class:`ConfigError` naming
    the entry and what is wrong with it."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), str(exc)) from exc
    versions = []
    for number, entry in enumerate(document.get("supplement", []), start=1):
        where = f"{path} [[supplement]] #{number}"
        effective = entry.get("effective_from")
        if not isinstance(effective, date):
            raise ConfigError(where, f"effective_from={effective!r} không phải ngày (YYYY-MM-DD)")
        texts = {}
        for key in ("source", "request_within", "answer_within"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(where, f"thiếu '{key}'")
            texts[key] = nfc(value)
        try:
            request, answer = (parse_limit(texts[k]) for k in ("request_within", "answer_within"))
        except TthcError as exc:
            raise ConfigError(where, exc.message()) from exc
        versions.append(
            SupplementRule(
                effective,
                request,
                answer,
                texts["source"],
                texts["request_within"],
                texts["answer_within"],
            )
        )
    if not versions:
        raise ConfigError(str(path), "không có mục [[supplement]] nào")
    return SupplementRules(tuple(sorted(versions, key=lambda r: r.effective_from)))
