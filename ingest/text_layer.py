"""Per-page decision for PDFs: trust the text layer, or OCR the page image.

A text layer is used only when it is real text: not empty, not glyph garbage ("(cid:12)",
private-use or control characters), not in a legacy Vietnamese font encoding (TCVN3/VNI
text layers extract as "KÕ ho¹ch"), and not a scan carrying a few stray characters.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MIN_LETTERS = 20            # fewer letters than this: the layer is empty
MAX_GARBAGE_RATIO = 0.05    # share of non-space characters that are glyph garbage
MIN_LETTER_RATIO = 0.45     # share of non-space characters that are letters
SCAN_IMAGE_AREA = 0.75      # page mostly covered by an image ...
SCAN_MAX_LETTERS = 200      # ... with this little text: a scan with a stamp or page number


@dataclass(frozen=True)
class TextLayerDecision:
    use_text: bool
    reason: str
    encoding: str | None = None


def _is_garbage_char(ch: str) -> bool:
    if ch == "\ufffd":
        return True
    cat = unicodedata.category(ch)
    return cat in ("Co", "Cs", "Cn") or (cat == "Cc" and ch not in "\n\t\f\r")


def assess_text_layer(text: str, image_area: float = 0.0) -> TextLayerDecision:
    """Given a page's extracted text and the share of it covered by images, decide."""
    compact = "".join(text.split())
    letters = sum(ch.isalpha() for ch in compact)
    if letters < MIN_LETTERS:
        return TextLayerDecision(False, f"text layer empty ({letters} letters)")
    cid = text.count("(cid:")
    garbage = sum(_is_garbage_char(ch) for ch in compact) + cid * 6
    if garbage / max(1, len(compact)) > MAX_GARBAGE_RATIO:
        return TextLayerDecision(False, "text layer is glyph garbage (unmapped font codes)")
    if letters / max(1, len(compact)) < MIN_LETTER_RATIO:
        return TextLayerDecision(False, "text layer is mostly symbols, not words")
    from .legacy import detect_legacy

    encoding = detect_legacy(text)
    if encoding:
        return TextLayerDecision(False, f"text layer is in the legacy {encoding.upper()} encoding",
                                 encoding=encoding)
    if image_area >= SCAN_IMAGE_AREA and letters < SCAN_MAX_LETTERS:
        return TextLayerDecision(False, "scanned page with only a few characters of text layer")
    return TextLayerDecision(True, "text layer holds real text")
