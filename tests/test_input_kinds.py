"""The kind of an input is decided by a header that parses, not by a few bytes a text may
start with; UTF-8 with a few damaged bytes stays UTF-8."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from kehoach.ingest.detect import bytes_to_kind, sniff_kind
from kehoach.ingest.text_file import bytes_to_decoded_text
from kehoach.pipeline.batch import collect_inputs, run_batch
from kehoach.core.settings import Settings
from kehoach.schema import Document

TEXT_ONLY = Settings(jobs=1, restore=False, extract=False)
PLAN = "Kế hoạch số 5/KH-UBND ngày 12/3/2025 của Ủy ban nhân dân xã\nTriển khai chuyển đổi số\n"


def _bmp() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (40, 30), 255).save(buf, format="BMP")
    return buf.getvalue()


def test_headers_are_judged_by_their_structure():
    bmp = _bmp()
    assert bytes_to_kind(bmp[:2048], bmp[-1024:], len(bmp)) == "image"
    assert bytes_to_kind(b"BM 01 Bieu mau ke hoach\n", None, 24) is None
    assert bytes_to_kind(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj") == "pdf"
    junk = b"From: gateway\r\n\r\n%PDF-1.4\n1 0 obj"  # junk before the header is allowed
    assert bytes_to_kind(junk, b"trailer\n%%EOF\n") == "pdf"
    assert bytes_to_kind(b"Xem tep %PDF-1.4 dinh kem\n", b"het\n") is None
    assert bytes_to_kind(b"Ghi chu:\n%PDF-1.4 la phien ban\n", b"het\n") is None
    assert bytes_to_kind(b"%PDF-tai lieu\n") is None


def test_texts_that_start_like_a_bmp_a_pdf_or_a_gif_are_read_as_text(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    texts = {
        "bieu-mau.txt": "BM 01 Biểu mẫu kế hoạch\n" + PLAN,
        "dinh-kem.txt": "Xem tệp %PDF-1.4 đính kèm\n" + PLAN,
        "gif.txt": "GIF89a là định dạng ảnh được nhắc trong " + PLAN,
    }
    for name, text in texts.items():
        (src / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    report = run_batch(collect_inputs([src]), out, TEXT_ONLY)
    assert not report.failed, report.messages
    for name, text in texts.items():
        doc = Document.model_validate_json((out / f"{Path(name).stem}.json").read_text("utf-8"))
        assert doc.source.kind == "text", name
        assert doc.pages[0].raw_text == text
    gif = Document.model_validate_json((out / "gif.json").read_text("utf-8"))
    assert any("starts like a image" in w.message for w in gif.warnings)
    assert sniff_kind(src / "bieu-mau.txt") == "text"


def test_utf8_with_a_few_damaged_bytes_is_utf8_with_a_warning():
    data = PLAN.encode("utf-8") * 3 + b"\xff\xc3(" + "Phụ lục\n".encode("utf-8")
    decoded = bytes_to_decoded_text(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.startswith(PLAN) and decoded.text.endswith("(Phụ lục\n")
    assert decoded.text.count("\ufffd") == 2
    assert any("2 undecodable" in w for w in decoded.warnings)


def test_single_byte_vietnamese_is_not_taken_for_damaged_utf8():
    from kehoach.ingest.legacy import encode_cp1258, encode_tcvn3

    assert bytes_to_decoded_text(encode_cp1258(PLAN)).encoding == "cp1258"
    assert bytes_to_decoded_text(encode_tcvn3(PLAN).encode("latin-1")).encoding == "tcvn3"
