"""OCR words left out of a page's text (scan specks, rule glyphs) are kept and reported."""
from __future__ import annotations

from kehoach.pipeline.runner import merge_ocr_page
from kehoach.schema import Document, Page, Source, Word


def _doc() -> Document:
    doc = Document(source=Source(path="scan.pdf", sha256="0" * 64, kind="pdf"))
    doc.pages = [Page(number=1, method="ocr"), Page(number=2, method="ocr")]
    return doc


def test_dropped_words_become_a_warning_with_their_page():
    doc = _doc()
    specks = [Word(text=t, bbox=(10.0, 10.0 * i, 14.0, 10.0 * i + 5), conf=3.0, line=-1)
              for i, t in enumerate(["c.", "_", "|", "''", "có.", "i", "..", "-", "x", "o"])]
    merge_ocr_page(doc, Page(number=2, method="ocr", text="Nội dung", dropped=specks))
    (warning,) = [w for w in doc.warnings if w.stage == "ocr"]
    assert warning.page == 2
    assert "10 OCR words" in warning.message and "'c.'" in warning.message
    assert "and 2 more" in warning.message
    assert doc.pages[1].dropped == specks  # boxes kept for the audit


def test_a_page_with_nothing_dropped_adds_no_warning():
    doc = _doc()
    merge_ocr_page(doc, Page(number=1, method="ocr", text="Nội dung"))
    assert doc.warnings == []
