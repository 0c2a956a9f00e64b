"""Tesseract's library in this process (ingest.tesseract_lib) reads what the tesseract
command reads: the same words, boxes and confidences on a real sample scan page, one image
or several in one call; a page past its timeout and a missing model are the same errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from kehoach.core.errors import MissingToolError, PageTimeout
from kehoach.ingest.ocr import TesseractEngine, _tesseract_cmd, import_pytesseract_without_pandas
from kehoach.ingest.render import render_pdf_page
from kehoach.ingest.tesseract_lib import TesseractLibrary

SCAN = Path(__file__).resolve().parent.parent / "samples" / "000-cho-don.scan.pdf"


@pytest.fixture(scope="module")
def page():
    import_pytesseract_without_pandas()
    image, dpi = render_pdf_page(SCAN, 0, None)  # the scan's own 200 dpi, skewed, specks
    return image, dpi


def test_the_library_is_used_where_tesseract_is_installed() -> None:
    # CI installs tesseract: the in-process path must run there, not fall back unseen
    assert TesseractLibrary.get(_tesseract_cmd(), "vie", None) is not None


def test_library_and_command_read_a_scan_page_the_same(page, capfd) -> None:
    image, dpi = page
    top = image.crop((0, 0, image.width, image.height // 3))  # header block and title
    mine = TesseractEngine(in_process=True).recognize(top, dpi=dpi)
    theirs = TesseractEngine(in_process=False).recognize(top, dpi=dpi)
    assert len(mine.words) > 40 and "KẾ HOẠCH" in mine.text
    assert mine == theirs  # text, every word's box and confidence
    assert "diacritics" not in capfd.readouterr().err  # tesseract's notes are not shown


def test_several_images_in_one_call_as_the_command_reads_a_list(page) -> None:
    image, dpi = page
    crops = [image.crop((0, 0, 900, 350)), image.crop((0, 600, image.width, 800)),
             image.crop((200, 900, 1400, 1300))]
    mine = TesseractEngine(in_process=True).recognize_many(crops, dpi=dpi)
    theirs = TesseractEngine(in_process=False).recognize_many(crops, dpi=dpi)
    assert [len(r.words) > 3 for r in mine] == [True, True, True]
    assert mine == theirs


def test_a_page_past_its_timeout_then_the_next_one_read(page) -> None:
    image, dpi = page
    engine = TesseractEngine(in_process=True)
    with pytest.raises(PageTimeout):
        engine.recognize(image, dpi=dpi, timeout=0.01)
    assert "KẾ HOẠCH" in engine.recognize(image.crop((0, 0, image.width, 700)), dpi=dpi).text


def test_a_missing_model_names_what_to_install(page) -> None:
    image, dpi = page
    with pytest.raises(MissingToolError) as err:
        TesseractEngine(lang="nosuchmodel", in_process=True).recognize(image.crop((0, 0, 300, 300)), dpi=dpi)
    assert "nosuchmodel" in err.value.message and "apt-get install" in err.value.hint


def _engine_in_process() -> bool:
    from kehoach.core.settings import Settings
    from kehoach.pipeline.runner import make_engine

    return make_engine(Settings()).in_process


def test_only_the_batch_workers_load_the_library() -> None:
    """A crash in tesseract's library ends the process it is loaded in: only the batch's
    worker processes load it (a crash there is one input's error record); run in the
    caller's process (--jobs 1, the Python API) each page is read by the command."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    from kehoach.pipeline.batch import die_with_parent

    assert _engine_in_process() is False
    with ProcessPoolExecutor(max_workers=1, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        assert pool.submit(_engine_in_process).result() is True


class _FailingLibrary:
    """A library whose recognition fails at once, whatever the deadline."""
    def pix_read(self, path): return 1
    def monitor(self): return 2
    def monitor_deadline(self, monitor, ms): pass
    def set_psm(self, api, psm): pass
    def set_variable(self, api, name, value): pass
    def set_image(self, api, pix): pass
    def recognize(self, api, monitor): return -1
    def monitor_delete(self, monitor): pass
    def pix_destroy(self, pix): pass


def test_a_failure_before_the_deadline_is_no_timeout() -> None:
    import threading

    handle = TesseractLibrary.__new__(TesseractLibrary)
    handle.lib, handle.api, handle.busy = _FailingLibrary(), 3, threading.Lock()
    with pytest.raises(OSError, match="could not read"):
        handle.files_to_tsv(["page.png"], 200, 3, timeout=60)
    with pytest.raises(OSError, match="could not read"):
        handle.files_to_tsv(["page.png"], 200, 3, timeout=None)

