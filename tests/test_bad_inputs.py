"""A corpus of bad inputs, each with its expected outcome: a clear error record or a correct
record, and never a crash of the batch or a lost record of another file."""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pdf_factory import BODY, FONT, make_pdf
from kehoach.pipeline.batch import collect_inputs, run_batch
from kehoach.core.settings import Settings
from kehoach.ingest.legacy import encode_cp1258
from kehoach.schema import Document, ErrorRecord

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = Settings(jobs=2, restore=False, extract=False, page_timeout=120)

ZERO_PAGE_PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                 b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                 b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")


def text_image(text: str, size=(1240, 1754), font_size=40) -> Image.Image:
    img = Image.new("L", size, 255)
    ImageDraw.Draw(img).multiline_text((90, 120), text, font=ImageFont.truetype(FONT, font_size),
                                       fill=0, spacing=18)
    return img


PAGE_TEXT = ("KẾ HOẠCH\nTriển khai chuyển đổi số trên địa bàn xã\nỦy ban nhân dân xã ban hành"
             "\nKế hoạch thực hiện như sau:\n1. Mục đích và yêu cầu\n2. Nhiệm vụ và giải pháp")


def huge_png(path: Path, width: int, height: int) -> None:
    """A valid PNG header announcing a huge image (no need to hold its pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def build_corpus(d: Path) -> dict[str, str]:
    """Write every bad input into d; return name -> expected outcome ("ok" or an error code)."""
    expect: dict[str, str] = {}
    good = make_pdf(d / "good plan.pdf", [BODY])
    expect["good plan.pdf"] = "ok"
    (d / "zero.pdf").write_bytes(b"")
    expect["zero.pdf"] = "empty-file"
    data = good.read_bytes()
    (d / "truncated.pdf").write_bytes(data[: len(data) // 2])
    expect["truncated.pdf"] = "corrupt-pdf"
    make_pdf(d / "locked.pdf", [BODY], password="secret")
    expect["locked.pdf"] = "encrypted-pdf"
    make_pdf(d / "empty-password.pdf", [BODY], password="")
    expect["empty-password.pdf"] = "ok"
    (d / "no-pages.pdf").write_bytes(ZERO_PAGE_PDF)
    expect["no-pages.pdf"] = "no-pages"
    text_image(PAGE_TEXT).save(d / "really-a-jpeg.pdf", format="JPEG", dpi=(150, 150))
    expect["really-a-jpeg.pdf"] = "ok"
    (d / "really-a-pdf.jpg").write_bytes(data)
    expect["really-a-pdf.jpg"] = "ok"
    huge_png(d / "huge.png", 20000, 20000)
    expect["huge.png"] = "image-too-large"
    Image.new("L", (1240, 1754), 255).save(d / "blank.png", dpi=(150, 150))
    expect["blank.png"] = "ok"
    text_image(PAGE_TEXT).rotate(180).save(d / "upside-down.png", dpi=(150, 150))
    expect["upside-down.png"] = "ok"
    text_image(PAGE_TEXT).rotate(90, expand=True).save(d / "sideways.png", dpi=(150, 150))
    expect["sideways.png"] = "ok"
    text_image("PLAN\nThe commune will publish its digital services\nonline by the end of 2025.",
               font_size=36).save(d / "english.png", dpi=(150, 150))
    expect["english.png"] = "ok"
    from kehoach.ingest.legacy import encode_tcvn3

    (d / "tcvn3.txt").write_bytes(encode_tcvn3("Kế hoạch chuyển đổi số của xã").encode("latin-1"))
    expect["tcvn3.txt"] = "ok"
    (d / "cp1258.txt").write_bytes(encode_cp1258("Kế hoạch chuyển đổi số của xã"))
    expect["cp1258.txt"] = "ok"
    (d / "utf16.txt").write_bytes("Kế hoạch chuyển đổi số của xã".encode("utf-16"))
    expect["utf16.txt"] = "ok"
    (d / "nul.txt").write_bytes("Kế hoạch\x00 số 02\x00".encode("utf-8"))
    expect["nul.txt"] = "ok"
    (d / "one-line.txt").write_text(("ke hoach chuyen doi so 2025 " * 190_000), encoding="utf-8")
    expect["one-line.txt"] = "ok"
    (d / "kế hoạch số 5 xã Chợ Đồn.txt").write_text("Kế hoạch số 5\n", encoding="utf-8")
    expect["kế hoạch số 5 xã Chợ Đồn.txt"] = "ok"
    os.symlink(d / "does-not-exist.pdf", d / "unreadable.pdf")
    expect["unreadable.pdf"] = "unreadable"
    return expect


@pytest.mark.ocr
def test_bad_input_corpus(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    expect = build_corpus(src)
    out = tmp_path / "out"
    report = run_batch(collect_inputs([src]), out, SETTINGS)
    handled = 0
    for name, outcome in expect.items():
        stem = Path(name).stem
        rec, err = out / f"{stem}.json", out / f"{stem}.error.json"
        if outcome == "ok":
            assert rec.exists() and not err.exists(), (name, err.exists() and err.read_text())
            Document.model_validate_json(rec.read_text("utf-8"))
        else:
            assert err.exists() and not rec.exists(), name
            e = ErrorRecord.model_validate_json(err.read_text("utf-8"))
            assert e.error.code == outcome, (name, e.error)
            assert "Traceback" not in e.error.message
        handled += 1
    assert handled == len(expect) == 20
    assert len(report.failed) == sum(v != "ok" for v in expect.values())

    def load(stem: str) -> Document:
        return Document.model_validate_json((out / f"{stem}.json").read_text("utf-8"))

    for stem in ("upside-down", "sideways"):
        doc = load(stem)
        assert doc.pages[0].rotation in (90, 180, 270), stem
        assert "chuyển đổi số" in doc.pages[0].raw_text, (stem, doc.pages[0].raw_text[:200])
    assert load("upside-down").pages[0].rotation == 180
    assert any("blank" in w.message for w in load("blank").warnings)
    assert "Kế hoạch chuyển đổi số của xã" in load("tcvn3").pages[0].text
    assert load("tcvn3").source.encoding == "tcvn3"
    assert "Kế hoạch chuyển đổi số của xã" in load("cp1258").pages[0].text
    assert "Kế hoạch chuyển đổi số của xã" in load("utf16").pages[0].text
    assert "\x00" not in load("nul").pages[0].text
    assert "Kế hoạch" in load("really-a-jpeg").pages[0].raw_text
    assert load("really-a-pdf").source.kind == "pdf"
    assert "publish" in load("english").pages[0].raw_text


def test_output_folder_that_is_a_file_is_a_usage_error(tmp_path):
    from typer.testing import CliRunner

    from kehoach.cli import app

    (tmp_path / "p.txt").write_text("Kế hoạch\n", encoding="utf-8")
    (tmp_path / "out").write_text("not a folder")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "p.txt"), "--out",
                                      str(tmp_path / "out"), "--no-restore"])
    assert result.exit_code == 2
    assert "is a file, not a folder" in result.output


def test_read_only_output_folder(tmp_path, tmpfs):
    """A read-only --out (a read-only filesystem: root ignores permission bits) gives a
    clear message and exit code 2, and no traceback."""
    from typer.testing import CliRunner

    from kehoach.cli import app

    out = tmpfs(tmp_path / "ro", "ro,size=1m")
    (tmp_path / "p.txt").write_text("Kế hoạch\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "p.txt"), "--out", str(out),
                                      "--no-restore", "--no-extract"])
    assert result.exit_code == 2, result.output
    assert "cannot write records to" in result.output
    assert "Traceback" not in result.output
