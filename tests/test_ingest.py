"""Ingest: per-page decisions, real tesseract on real sample pages, error records."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fpdf import FPDF

from kehoach.ingest.detect import sniff_kind
from kehoach.ingest.document import plan_document
from kehoach.core.errors import IngestError
from kehoach.ingest.text_layer import assess_text_layer
from kehoach.pipeline.batch import collect_inputs, run_batch
from kehoach.pipeline.runner import process_file
from kehoach.core.settings import Settings
from pdf_factory import BODY, FONT, make_pdf
from kehoach.schema import Document, ErrorRecord

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FAST = Settings(jobs=1, restore=False, extract=False)


# --- per-page decision -------------------------------------------------------------------

@pytest.mark.parametrize("text, use_text, why", [
    (BODY, True, "real text"),
    ("", False, "empty"),
    ("12", False, "empty"),
    ("(cid:12)(cid:44)(cid:19) (cid:3)(cid:77) " * 20, False, "garbage"),
    ("KÕ ho¹ch sè 02-KH/BC§TW ngµy 19/6/2025 cña Ban ChØ ®¹o Trung ¬ng vÒ ph¸t triÓn khoa häc, "
     "c«ng nghÖ, ®æi míi s¸ng t¹o vµ chuyÓn ®æi sè trªn ®Þa bµn x· Chî §ån", False, "tcvn3"),
])
def test_text_layer_decision(text, use_text, why):
    decision = assess_text_layer(text)
    assert decision.use_text is use_text, (why, decision)


def test_scan_with_a_few_characters_is_ocred():
    assert not assess_text_layer("Trang 3 " * 5, image_area=0.95).use_text


def test_mixed_pdf_decides_per_page(tmp_path):
    """Page 1 has a real text layer, page 2 is only an image: OCR exactly page 2."""
    from PIL import Image, ImageDraw, ImageFont

    text_pdf = make_pdf(tmp_path / "text.pdf", [BODY])
    img = Image.new("L", (1240, 1754), 255)
    font = ImageFont.truetype(FONT, 34)
    ImageDraw.Draw(img).multiline_text((100, 150), "KẾ HOẠCH\nChuyển đổi số trên địa bàn xã",
                                       font=font, fill=0, spacing=16)
    img_path = tmp_path / "page.png"
    img.save(img_path, dpi=(150, 150))
    pdf = FPDF()
    pdf.add_font("dv", fname=FONT)
    pdf.set_font("dv", size=13)
    pdf.add_page()
    pdf.multi_cell(0, 7, BODY)
    pdf.add_page()
    pdf.image(str(img_path), x=0, y=0, w=210, h=297)
    mixed = tmp_path / "mixed.pdf"
    pdf.output(str(mixed))
    assert text_pdf.exists()

    doc, jobs = plan_document(mixed, FAST)
    assert [p.method for p in doc.pages] == ["text", "ocr"]
    assert [j.index for j in jobs] == [1]
    assert "Chợ" in doc.pages[0].text and doc.pages[0].words

    doc = process_file(mixed, FAST)
    assert doc.pages[1].method == "ocr" and doc.pages[1].confidence
    assert "KẾ HOẠCH" in doc.pages[1].raw_text
    words = [w.text for w in doc.pages[1].words]
    assert "Chuyển" in words and "đổi" in words
    # boxes are in PDF points, inside the A4 page
    assert all(0 <= w.bbox[0] < w.bbox[2] <= 596 for w in doc.pages[1].words)


# --- real tesseract on the sample scan ---------------------------------------------------

SHORT_SCAN = SAMPLES / "001-son-la.scan-short.pdf"   # pages 1 and 8 of 001-son-la.pdf


@pytest.mark.ocr
def test_real_tesseract_reads_vietnamese_from_sample_scan():
    from kehoach.bench.ocr import score_scan

    doc, jobs = plan_document(SHORT_SCAN, FAST)
    assert len(jobs) == 2, "a scanned PDF has no usable text layer: every page must be OCR'd"
    doc = process_file(SHORT_SCAN, FAST)
    first = "".join(doc.pages[0].raw_text.split())  # word gaps in headings vary between scans
    for phrase in ("KẾ HOẠCH", "ỦY BAN NHÂN DÂN", "Sơn La", "Quyết định", "Kế hoạch",
                   "dịch vụ công trực tuyến", "người dân", "doanh nghiệp"):
        assert "".join(phrase.split()) in first, f"{phrase!r} not recognised in the sample scan"
    assert doc.pages[0].confidence > 80
    # words keep boxes on the page, in points
    assert all(0 <= w.bbox[0] < w.bbox[2] <= doc.pages[0].width + 1 for w in doc.pages[0].words)
    # character accuracy of page 1 against the text it was printed from
    score = score_scan(SHORT_SCAN, SAMPLES / "001-son-la.pdf", jobs=1, max_pages=1)
    assert score.char_accuracy > 0.92, score


# --- error records -----------------------------------------------------------------------

def test_error_kinds(tmp_path):
    good = make_pdf(tmp_path / "good.pdf", [BODY])
    data = good.read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "webpage.pdf").write_bytes(b"<html><body>404 Not Found</body></html>\n")
    make_pdf(tmp_path / "locked.pdf", [BODY], password="secret")
    make_pdf(tmp_path / "open-encrypted.pdf", [BODY], password="")
    cases = {
        "truncated.pdf": "corrupt-pdf",
        "empty.pdf": "empty-file",
        "webpage.pdf": "not-a-pdf",
        "locked.pdf": "encrypted-pdf",
    }
    for name, code in cases.items():
        with pytest.raises(IngestError) as info:
            plan_document(tmp_path / name, FAST)
        assert info.value.code == code, name
        assert tmp_path.name not in info.value.message  # the message names the file, not a dump
    # an encrypted PDF with an empty user password opens like any other
    doc, _ = plan_document(tmp_path / "open-encrypted.pdf", FAST)
    assert "Chợ" in doc.pages[0].text


def test_batch_writes_error_records_and_goes_on(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    make_pdf(inputs / "plan one.pdf", [BODY, BODY])
    (inputs / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    (inputs / "nothing.pdf").write_bytes(b"")
    (inputs / "kế hoạch.txt").write_text("KE HOACH\nTrien khai chuyen doi so\n", encoding="utf-8")
    out = tmp_path / "out"
    paths = collect_inputs([inputs])
    assert len(paths) == 4
    report = run_batch(paths, out, FAST)
    assert report.exit_code == 1
    assert sorted(p.name for p in report.failed) == ["broken.pdf", "nothing.pdf"]
    rec = Document.model_validate_json((out / "plan one.json").read_text("utf-8"))
    assert rec.source.pages == 2 and rec.source.kind == "pdf"
    assert [p.method for p in rec.pages] == ["text", "text"]
    assert rec.pages[0].text == rec.pages[0].raw_text
    err = ErrorRecord.model_validate_json((out / "broken.error.json").read_text("utf-8"))
    assert err.error.code == "corrupt-pdf" and "broken.pdf" in err.error.message
    assert (out / "kế hoạch.json").exists()

    # resumable: a second run skips what is already done, --force redoes it
    again = run_batch(paths, out, FAST)
    assert len(again.skipped) == 2 and not again.written
    forced = run_batch(paths, out, Settings(jobs=1, restore=False, extract=False, force=True))
    assert len(forced.written) == 2
    # other options shape other records: a re-run with them redoes the inputs
    other = run_batch(paths, out, Settings(jobs=1, restore=False, extract=True))
    assert len(other.written) == 2 and not other.skipped
    assert Document.model_validate_json((out / "plan one.json").read_text("utf-8")).produced_by


def test_same_stem_in_two_folders_gets_two_records(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "plan.txt").write_text(f"Kế hoạch {sub}\n", encoding="utf-8")
    out = tmp_path / "out"
    report = run_batch(collect_inputs([tmp_path / "a", tmp_path / "b"]), out, FAST)
    assert len(report.written) == 2 and len(set(report.written)) == 2


def test_parallel_batch_matches_inline(tmp_path):
    """--jobs 2 (page-level tasks in worker processes) gives the same records as --jobs 1."""
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        make_pdf(src / f"p{i}.pdf", [BODY + f" Trang {i}.", BODY])
    a = run_batch(collect_inputs([src]), tmp_path / "a", FAST)
    b = run_batch(collect_inputs([src]), tmp_path / "b",
                  Settings(jobs=2, restore=False, extract=False))
    assert not a.failed and not b.failed
    for p in sorted((tmp_path / "a").glob("*.json")):
        assert json.loads(p.read_text()) == json.loads((tmp_path / "b" / p.name).read_text())


def test_sniff_by_content_not_name(tmp_path):
    from PIL import Image

    jpeg_named_pdf = tmp_path / "scan.pdf"
    Image.new("L", (50, 50), 255).save(jpeg_named_pdf, format="JPEG")
    assert sniff_kind(jpeg_named_pdf) == "image"
    pdf_named_jpg = tmp_path / "photo.jpg"
    shutil.copy(make_pdf(tmp_path / "x.pdf", [BODY]), pdf_named_jpg)
    assert sniff_kind(pdf_named_jpg) == "pdf"


def test_same_stem_in_separate_runs_keeps_both_records(tmp_path):
    """a/plan.txt then b/plan.txt into one --out: the second gets its own record."""
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "plan.txt").write_text(f"Kế hoạch {sub}\n", encoding="utf-8")
    out = tmp_path / "out"
    run_batch(collect_inputs([tmp_path / "a"]), out, FAST)
    second = run_batch(collect_inputs([tmp_path / "b"]), out, FAST)
    assert len(second.written) == 1
    texts = sorted(Document.model_validate_json(p.read_text("utf-8")).pages[0].text.strip()
                   for p in out.glob("*.json"))
    assert texts == ["Kế hoạch a", "Kế hoạch b"]
    # running the first again finds its record up to date
    assert len(run_batch(collect_inputs([tmp_path / "a"]), out, FAST).skipped) == 1
