"""The text of table cells: squashed to one line, a cell's lines joined as it printed them
(bullets kept on their own lines). Text matched without its marks is ``core.folding.unmark``'s."""
from __future__ import annotations

import re

from ..core.folding import nfc, squash_spaces

# a line that stops inside a date or a number with a slash: "16/10/20", "12/"
_WRAPPED_NUMBER = re.compile(r"\d{1,2}/\d{1,2}/\d{0,3}$|\d/$")


def squash(text: str) -> str:
    """Given cell text, return it NFC with runs of whitespace made single spaces."""
    return squash_spaces(nfc(text))


def cell_text(text: str) -> str:
    """Given a cell's printed text, return it on one line, keeping line breaks only before
    list bullets ("- ", "+ ") where they separate entries."""
    lines = [squash(x) for x in text.splitlines() if x.strip()]
    out = ""
    for ln in lines:
        if not out:
            out = ln
        elif ln[:1] in "-+•" and len(ln) > 1:
            out += "\n" + ln
        elif _WRAPPED_NUMBER.search(out) and ln[:1].isdigit():
            out += ln  # a date a narrow cell wrapped inside its number ("16/10/20" + "26")
        else:
            out += " " + ln
    return out
