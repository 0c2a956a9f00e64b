"""A second corpus of bad inputs (test_bad_inputs.py has the first 20): inputs built to
stall, hide or be misjudged. Each has its expected outcome, and every input named or found
ends as a record, an error record or a line of the batch's summary."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from kehoach.core.settings import Settings
from kehoach.pipeline.batch import collect_inputs, run_batch
from kehoach.schema import Document, ErrorRecord
from pdf_factory import BODY, make_pdf

ROOT = Path(__file__).resolve().parent.parent
FAST = Settings(jobs=2, restore=False, extract=False, file_timeout=5, page_timeout=60)
PLAN = "Kế hoạch số 5/KH-UBND\nTriển khai chuyển đổi số\n"


def _pdf(objects: list[bytes], root: int = 1, extra: bytes = b"") -> bytes:
    """A PDF of the given object bodies (numbered from 1), with a valid xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, extra, xref)
    return bytes(out)


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def text_pdf(pages: int) -> bytes:
    """A born-digital PDF of ``pages`` pages sharing one content stream (a real text layer)."""
    content = b"BT /F1 14 Tf 72 720 Td (Ke hoach so 5 trien khai chuyen doi so nam 2025 cua xa) Tj ET"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content), FONT]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
                b"/Resources << /Font << /F1 4 0 R >> >> >>"] * pages
    return _pdf(objects)


def cyclic_tree_pdf() -> bytes:
    """Two pages declared; the page tree lists itself among its own kids."""
    content = b"BT /F1 14 Tf 72 720 Td (Ke hoach so 5 trien khai chuyen doi so nam 2025 cua xa) Tj ET"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [2 0 R 5 0 R] /Count 2 >>",
                 b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content), FONT,
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
                 b"/Resources << /Font << /F1 4 0 R >> >> >>"])


def self_reference_pdf() -> bytes:
    """/Info is an object whose value is a reference to itself: resolving it never ends."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
                 b"4 0 R"], extra=b"/Info 4 0 R ")


def build_corpus(d: Path) -> tuple[dict[str, str], list[Path]]:
    """Write the inputs into d; return (name -> expected outcome, extra paths to name
    explicitly). Outcomes: "ok", "partial:<page error code>", "ignored" or an error code."""
    expect: dict[str, str] = {}
    (d / "self-reference.pdf").write_bytes(self_reference_pdf())
    expect["self-reference.pdf"] = "timeout"
    (d / "cyclic-tree.pdf").write_bytes(cyclic_tree_pdf())
    expect["cyclic-tree.pdf"] = "partial:page-tree"
    (d / "2000-pages.txt").write_text("\f".join(f"Trang {i}: {PLAN}" for i in range(2000)),
                                      encoding="utf-8")
    expect["2000-pages.txt"] = "ok"
    os.symlink("loop-b.pdf", d / "loop-a.pdf")
    os.symlink("loop-a.pdf", d / "loop-b.pdf")
    expect["loop-a.pdf"] = expect["loop-b.pdf"] = "unreadable"
    os.symlink("missing.txt", d / "dangling.txt")
    expect["dangling.txt"] = "unreadable"
    long_name = "kế hoạch " * 18 + "dài.txt"
    (d / long_name).write_text(PLAN, encoding="utf-8")
    expect[long_name] = "ok"
    (d / "plan.txt").write_text(PLAN, encoding="utf-8")
    expect["plan.txt"] = "ok"
    (d / "plan.error.txt").write_text(PLAN, encoding="utf-8")
    expect["plan.error.txt"] = "ok"
    os.mkfifo(d / "pipe.txt")
    expect["pipe.txt"] = "not-a-file"
    (d / "folder.pdf").mkdir()
    (d / "folder.pdf" / "inside.txt").write_text(PLAN, encoding="utf-8")
    expect["inside.txt"] = "ok"
    (d / "bieu-mau.txt").write_text("BM 01 Biểu mẫu\n" + PLAN, encoding="utf-8")
    expect["bieu-mau.txt"] = "ok"
    (d / "mentions-pdf.txt").write_text("Xem tệp %PDF-1.4 đính kèm\n" + PLAN, encoding="utf-8")
    expect["mentions-pdf.txt"] = "ok"
    (d / "gif-word.txt").write_text("GIF89a được nhắc trong " + PLAN, encoding="utf-8")
    expect["gif-word.txt"] = "ok"
    (d / "damaged-utf8.txt").write_bytes(PLAN.encode() * 4 + b"\xff\xfe" + PLAN.encode())
    expect["damaged-utf8.txt"] = "ok"
    rng = random.Random(7)
    (d / "random-bytes.txt").write_bytes(bytes(rng.randrange(0, 32) for _ in range(4000)))
    expect["random-bytes.txt"] = "binary"
    (d / "spaces.txt").write_text(" \n\t\n  \n", encoding="utf-8")
    expect["spaces.txt"] = "empty"
    (d / "empty.png").write_bytes(b"")
    expect["empty.png"] = "empty-file"
    (d / "truncated.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    expect["truncated.png"] = "bad-image"
    page1 = Image.new("L", (400, 300), 255)
    page2 = Image.new("L", (12000, 11000), 255)  # 132 MP: over the limit on page 2 only
    page1.save(d / "big-page-2.tif", save_all=True, append_images=[page2], compression="packbits")
    expect["big-page-2.tif"] = "partial:image-too-large"
    good = make_pdf(d / "good.pdf", [BODY])
    expect["good.pdf"] = "ok"
    (d / "junk-before-header.pdf").write_bytes(b"X-Mailer: gateway\r\n" + good.read_bytes())
    expect["junk-before-header.pdf"] = "ok"
    (d / "notes.xlsx").write_bytes(b"PK\x03\x04 not an input kind")
    expect["notes.xlsx"] = "ignored"
    (d / "notes.docx").write_bytes(b"PK\x03\x04 a truncated Word file")  # Word files are inputs
    expect["notes.docx"] = "corrupt-docx"
    expect["null"] = "not-a-file"     # /dev/null named explicitly
    return expect, [Path("/dev/null")]


@pytest.mark.ocr
def test_second_bad_input_corpus(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    expect, explicit = build_corpus(src)
    ignored: list[Path] = []
    inputs = collect_inputs([src, *explicit], ignored)
    out = tmp_path / "out"
    report = run_batch(inputs, out, FAST)
    assert [p.name for p in ignored] == [n for n, v in expect.items() if v == "ignored"]
    # a summary line for every input: each one written, up to date or failed, once
    # (written lists record files; failed and skipped list inputs)
    assert len(report.written) + len(report.skipped) + len(report.failed) == len(inputs)
    assert len(report.messages) >= len(report.failed)
    by_source: dict[str, object] = {}
    for f in out.glob("*.json"):
        rec = (ErrorRecord if f.name.endswith(".error.json") else Document).model_validate_json(
            f.read_text("utf-8"))
        path = rec.source["path"] if isinstance(rec, ErrorRecord) else rec.source.path
        assert Path(path).name not in by_source, f"two records for {path}"
        by_source[Path(path).name] = rec
    seen = 0
    for name, outcome in expect.items():
        if outcome == "ignored":
            continue
        rec = by_source.get(name)
        assert rec is not None, f"{name}: no record at all"
        if outcome == "ok":
            assert isinstance(rec, Document) and rec.status == "success", (name, rec)
        elif outcome.startswith("partial:"):
            assert isinstance(rec, Document) and rec.status == "partial", (name, rec.status)
            errors = [p.error for p in rec.pages if p.error]
            assert errors and all(e.code == outcome.split(":")[1] for e in errors), (name, errors)
        else:
            assert isinstance(rec, ErrorRecord), (name, rec)
            assert rec.error.code == outcome, (name, rec.error)
            assert "Traceback" not in rec.error.message
        seen += 1
    assert seen + len(ignored) == len(expect) >= 24
    assert len(by_source["2000-pages.txt"].pages) == 2000
    assert by_source["bieu-mau.txt"].source.kind == "text"
    assert by_source["junk-before-header.pdf"].source.kind == "pdf"
    assert by_source["self-reference.pdf"].error.stage == "ingest"


def test_a_2000_page_pdf_is_read_whole(tmp_path):
    (tmp_path / "long.pdf").write_bytes(text_pdf(2000))
    out = tmp_path / "out"
    report = run_batch([tmp_path / "long.pdf"], out, Settings(jobs=1, restore=False, extract=False))
    assert not report.failed, report.messages
    doc = Document.model_validate_json((out / "long.json").read_text("utf-8"))
    assert len(doc.pages) == 2000 and doc.status == "success"
    assert all("Ke hoach so 5" in p.text for p in doc.pages)


def test_disk_full_gives_a_line_per_input_and_no_crash(tmp_path, tmpfs):
    """Records into a 64 KB filesystem: what fits is written, every other input gets a
    'cannot write' line, and the batch ends normally."""
    out = tmpfs(tmp_path / "small", "size=64k")
    src = tmp_path / "in"
    src.mkdir()
    for i in range(6):
        (src / f"plan{i}.txt").write_text(PLAN * 200, encoding="utf-8")
    inputs = collect_inputs([src])
    report = run_batch(inputs, out, Settings(jobs=1, restore=False, extract=False))
    assert len(report.written) + len(report.failed) == len(inputs)
    assert report.failed, "64 KB cannot hold 6 records of ~60 KB"
    assert all(("No space left" in m or "cannot write" in m) for m in report.messages)
    assert not list(out.glob(".*.tmp"))   # no partial file left behind


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_batch_stopped_by_a_signal_resumes_to_one_record_each(tmp_path, sig):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(8):
        (src / f"plan{i}.txt").write_text(PLAN.replace("5", str(i)), encoding="utf-8")
    (src / "slow.pdf").write_bytes(self_reference_pdf())  # keeps a worker busy until its limit
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "kehoach", "ingest", str(src), "--out", str(out), "--jobs", "2",
           "--quiet", "--no-restore", "--file-timeout", "20"]
    batch = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    end = time.monotonic() + 60
    while time.monotonic() < end and not list(out.glob("plan*.json")):
        time.sleep(0.1)
    batch.send_signal(sig)
    try:
        batch.wait(timeout=60)
    finally:
        batch.kill()
    again = subprocess.run(cmd[:-2] + ["--file-timeout", "8"], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 1, again.stderr          # slow.pdf: an error record
    names = sorted(p.name for p in out.glob("*.json"))
    assert names == sorted([f"plan{i}.json" for i in range(8)] + ["slow.error.json"]), again.stderr
    assert not list(out.glob(".*.tmp"))


def test_a_file_changed_while_read_is_said_and_read_again_next_run(tmp_path, monkeypatch):
    """The file is appended to after its pages were read (a copy still being written): the
    record says so, keeps the hash taken before reading, and the next run reads it again."""
    import kehoach.pipeline.runner as runner

    real_plan = runner.plan_document

    def plan_then_append(path, settings, sha256=None):
        planned = real_plan(path, settings, sha256=sha256)
        if path.name == "growing.txt":
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("Phụ lục kèm theo\n")
        return planned

    src = tmp_path / "in"
    src.mkdir()
    (src / "growing.txt").write_text(PLAN, encoding="utf-8")
    (src / "steady.txt").write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out"
    settings = Settings(jobs=1, restore=False, extract=False)
    monkeypatch.setattr(runner, "plan_document", plan_then_append)
    report = run_batch(collect_inputs([src]), out, settings)
    assert [n for n in report.notes if "changed while it was read" in n] == [
        "growing.txt changed while it was read: this record may hold parts of both versions; "
        "run the batch again to read the new one"]
    doc = Document.model_validate_json((out / "growing.json").read_text("utf-8"))
    assert any("changed while it was read" in w.message for w in doc.warnings)
    monkeypatch.setattr(runner, "plan_document", real_plan)
    again = run_batch(collect_inputs([src]), out, settings)
    assert [p.name for p in again.skipped] == ["steady.txt"] and not again.notes
    doc = Document.model_validate_json((out / "growing.json").read_text("utf-8"))
    assert "Phụ lục kèm theo" in doc.pages[0].raw_text
