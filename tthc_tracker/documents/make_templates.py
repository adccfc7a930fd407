"""Write the shipped letter templates: ``python -m tthc_tracker.documents.make_templates [OUTDIR]``.

OUTDIR defaults to the repository's ``templates/`` folder.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from tthc_tracker.documents.letters import build_template
from tthc_tracker.domain.letters import Template

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "templates"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    outdir = Path(args[0]) if args else DEFAULT_DIR
    outdir.mkdir(parents=True, exist_ok=True)
    for variant in Template:
        path = outdir / f"{variant.value}.docx"
        build_template(variant.value, path)
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
