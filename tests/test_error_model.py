"""Errors the docling way: what failed is an ErrorInfo (on its page, and in the document's
errors), the status is decided once from them, and a crashed reader or parser keeps the
other items and makes the record partial instead of hiding among the warnings."""
from __future__ import annotations

from PIL import Image

from kehoach import extract
from kehoach.core.errors import IngestError
from kehoach.core.settings import Settings
from kehoach.pipeline.batch import run_batch
from kehoach.pipeline.runner import document_status, finish_document
from kehoach.schema import Document, ErrorInfo, Page, Source

from fake_ocr import FakeEngine, lines_to_result

PLAN = ("ỦY BAN NHÂN DÂN XÃ CHỢ ĐỒN\nSố: 12/KH-UBND\nKẾ HOẠCH\nThực hiện chuyển đổi số năm 2025\n"
        "I. NHIỆM VỤ\n1. Phòng Kinh tế chủ trì, hoàn thành trước ngày 30/6/2025.\n"
        "2. Công an xã chủ trì, hoàn thành trong quý III/2025.\n")


def _text_document(text: str = PLAN) -> Document:
    return Document(source=Source(path="plan.txt", sha256="0" * 64, kind="text", pages=1),
                    pages=[Page(number=1, method="text", raw_text=text, text=text)])


class SecondPageFails(FakeEngine):
    """Reads "Kế hoạch" on every page image but those 620 px wide, where it fails."""

    def read(self, image, dpi):
        if image.width == 620:
            raise IngestError("tesseract crashed on this page", code="ocr-failed")
        return lines_to_result(["Kế hoạch"], conf=95.0)


def test_a_page_that_could_not_be_read_is_an_error_on_its_page_and_in_the_document(tmp_path):
    frames = [Image.new("L", (600, 800), 255), Image.new("L", (620, 800), 255)]
    frames[0].save(tmp_path / "half.tiff", save_all=True, append_images=frames[1:], dpi=(100, 100))
    run_batch([tmp_path / "half.tiff"], tmp_path / "out", Settings(jobs=1, restore=False),
              engine=SecondPageFails())
    doc = Document.model_validate_json((tmp_path / "out" / "half.json").read_text("utf-8"))
    assert doc.pages[0].error is None
    error = doc.pages[1].error
    assert (error.code, error.page, error.stage) == ("ocr-failed", 2, "ocr")
    assert doc.errors == [error] and doc.status == "partial"
    assert not any("could not be read" in w.message for w in doc.warnings)  # an error, not a warning


def test_a_page_error_in_a_record_of_schema_1_0_is_read_as_an_error_info():
    page = Page.model_validate({"number": 2, "method": "ocr",
                                "error": "page-timeout: OCR took longer than 600 s (raise --page-timeout)"})
    assert page.error.code == "page-timeout"
    assert page.error.message == "OCR took longer than 600 s (raise --page-timeout)"
    assert Page.model_validate({"number": 1, "method": "ocr", "error": "broken"}).error.code == "error"


def test_status_is_failure_when_no_page_was_read_and_partial_when_anything_failed():
    doc = _text_document()
    assert document_status(doc) == "success"
    doc.errors.append(ErrorInfo(code="reader-failed", message="x", stage="extract"))
    assert document_status(doc) == "partial"
    doc.pages[0].error = ErrorInfo(code="ocr-failed", message="y", page=1, stage="ocr")
    assert document_status(doc) == "failure"


def test_a_crashed_reader_is_an_error_and_the_other_readers_keep_their_items(monkeypatch):
    def broken(doc, plan, rules):
        raise RuntimeError("a bug in a new reader")

    healthy = extract.run(_text_document())
    assert healthy.tasks and not healthy.errors
    monkeypatch.setitem(extract.EXTRACTORS, "broken", extract.Reader(broken))
    doc = finish_document(_text_document(), Settings(restore=False))
    assert [t.text for t in doc.tasks] == [t.text for t in healthy.tasks]
    assert [(e.code, e.stage) for e in doc.errors] == [("reader-failed", "extract")]
    assert "broken reader failed: RuntimeError: a bug in a new reader" == doc.errors[0].message
    assert doc.status == "partial"
    assert not any("reader failed" in w.message for w in doc.warnings)


def test_a_crashed_parser_keeps_the_item_and_is_an_error_of_the_document(monkeypatch):
    from kehoach.extract import deadlines

    def broken(raw, plan_year, rules):
        raise ValueError("a bug in the deadline parser")

    monkeypatch.setattr(deadlines, "parse_deadline", broken)
    doc = finish_document(_text_document(), Settings(restore=False))
    assert len(doc.tasks) == 2 and all(t.deadline is None for t in doc.tasks)
    assert all(any("deadline parser failed on" in w for w in t.warnings) for t in doc.tasks)
    assert [(e.code, e.page) for e in doc.errors] == [("parser-failed", 1)] * 2
    assert doc.status == "partial"
