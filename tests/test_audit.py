"""Audit on a small real PDF sample with an injected pipeline (the real one is tested elsewhere)."""
from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kehoach.outputs import audit
from samples import FONT_DIR
from kehoach.schema import Document

FONT = str(FONT_DIR / "DejaVuSans.ttf")
LINES = [
    "ỦY BAN NHÂN DÂN TỈNH SƠN LA",
    "Số: 169/KH-UBND",
    "1. Ban hành và tổ chức thực hiện kế hoạch cung cấp dịch vụ công. Sở Tài chính. Tháng 12/2025",
    "2. Triển khai đầy đủ phương án bảo đảm an toàn thông tin. Công an tỉnh. Tháng 12/2025",
]
LINE_TOP, LINE_H = 72.0, 20.0  # where fpdf puts each line (points)


def _pdf_bytes() -> bytes:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 is a dev dependency")
    pdf = fpdf.FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.add_font("dv", fname=FONT)
    pdf.set_font("dv", size=9)
    for i, line in enumerate(LINES):
        pdf.set_xy(40, LINE_TOP + i * LINE_H)
        pdf.cell(text=line)
    return bytes(pdf.output())


def _task(text: str, unit: str, end: str, line: int) -> dict:
    return {"text": text, "lead_units": [{"raw": unit, "name": unit}],
            "deadline": {"raw": end[:7], "kind": "month", "start": end[:8] + "01", "end": end},
            "provenance": {"page": 1, "bbox": [40, LINE_TOP + line * LINE_H, 555, LINE_TOP + line * LINE_H + 12]}}


EXPECTED = {
    "source": {"path": "son-la.pdf", "sha256": "0" * 64, "kind": "pdf", "pages": 1},
    "number": "169/KH-UBND",
    "tasks": [
        _task("Ban hành và tổ chức thực hiện kế hoạch cung cấp dịch vụ công", "Sở Tài chính", "2025-12-31", 2),
        _task("Triển khai đầy đủ phương án bảo đảm an toàn thông tin", "Công an tỉnh", "2025-12-31", 3),
    ],
    "targets": [],
}


def _extracted() -> Document:
    """What a (flawed) pipeline returns: task 2's deadline is wrong and a heading became a task."""
    doc = json.loads(json.dumps(EXPECTED))
    doc["tasks"][1]["deadline"] = {"raw": "11/2025", "kind": "month", "start": "2025-11-01", "end": "2025-11-30"}
    doc["tasks"].append(_task("ỦY BAN NHÂN DÂN TỈNH SƠN LA", "Sở Tài chính", "2025-12-31", 0))
    return Document.model_validate(doc)


@pytest.fixture
def samples(tmp_path) -> Path:
    d = tmp_path / "samples"
    d.mkdir()
    (d / "son-la.pdf").write_bytes(_pdf_bytes())
    (d / "son-la.expected.json").write_text(json.dumps(EXPECTED, ensure_ascii=False), encoding="utf-8")
    (d / "son-la.scan.pdf").write_bytes(b"%PDF-1.4 not this sample's input")
    (d / "orphan.expected.json").write_text(json.dumps(EXPECTED), encoding="utf-8")
    return d


def _fake_pipeline(path: Path) -> Document:
    assert path.name == "son-la.pdf"
    return _extracted()


def test_pairs_inputs_with_their_expected_records(samples):
    pairs, missing = audit.samples_to_pairs(samples)
    assert [(p.input.name, p.name) for p in pairs] == [("son-la.pdf", "son-la")]
    assert missing == ["orphan.expected.json"]


def test_figures_count_wrong_deadline_and_extra_item(samples):
    result = audit.run_audit(samples, _fake_pipeline)
    totals = result.totals()
    tasks = totals["tasks"]
    assert (tasks["items"].tp, tasks["items"].fp, tasks["items"].fn) == (2, 1, 0)
    assert result.f1 == pytest.approx(0.8)  # P 2/3, R 1
    deadline = tasks["fields"]["deadline"]
    assert (deadline.right, deadline.extracted, deadline.expected) == (1, 3, 2)
    assert deadline.f1 == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5))
    assert tasks["fields"]["lead_units"].recall == 1.0
    table = audit.result_to_table(result)
    assert "OVERALL" in table and "orphan.expected.json has no sample input" in table


def test_reports_show_mismatch_with_page_crop(samples, tmp_path):
    result = audit.run_audit(samples, _fake_pipeline)
    json_path, html_path = audit.write_reports(result, tmp_path / "audit", min_f1=0.95)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["passed"] is False and data["f1"] == pytest.approx(0.8)
    fields = {(m["field"], m["actual_text"]) for m in data["documents"][0]["score"]["mismatches"]}
    assert ("deadline", "Triển khai đầy đủ phương án bảo đảm an toàn thông tin") in fields
    assert ("item", "ỦY BAN NHÂN DÂN TỈNH SƠN LA") in fields
    html = html_path.read_text(encoding="utf-8")
    assert "2025-11-30" in html and "2025-12-31" in html
    uris = [part.split('"')[0] for part in html.split('src="data:image/png;base64,')[1:]]
    assert len(uris) == 2  # the wrong deadline and the extra item both have page boxes
    crop = Image.open(io.BytesIO(base64.b64decode(uris[0])))
    assert crop.width > 500 and 60 < crop.height < 400  # a band around one line, not the whole page
    px = np.asarray(crop.convert("RGB")).astype(int)
    red = int(((px[..., 0] > 200) & (px[..., 1] < 60) & (px[..., 2] < 60)).sum())
    assert red > 100  # the provenance box is drawn


def test_pipeline_failure_is_scored_as_all_missed(samples):
    def broken(path: Path) -> Document:
        raise RuntimeError("tesseract died")

    result = audit.run_audit(samples, broken)
    assert result.documents[0].error == "RuntimeError: tesseract died"
    assert result.totals()["tasks"]["items"].fn == 2 and result.f1 == 0.0


def test_cli_audit_exit_code_follows_min_f1(samples, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kehoach import cli
    monkeypatch.setattr(audit, "batch_processor", lambda *a, **k: _fake_pipeline)
    runner = CliRunner()
    low = runner.invoke(cli.app, ["audit", str(samples), "--out", str(tmp_path / "a"), "--min-f1", "0.95"])
    high = runner.invoke(cli.app, ["audit", str(samples), "--out", str(tmp_path / "b"), "--min-f1", "0.5"])
    assert low.exit_code == 1, low.output
    assert high.exit_code == 0, high.output
    assert "OVERALL" in high.output and (tmp_path / "b" / "audit.html").exists()


def test_crop_from_second_page_of_a_tiff(tmp_path):
    """Images: pixels per point come from the page width the Document recorded."""
    from PIL import ImageDraw

    from kehoach.outputs.page_crops import provenance_to_crop_uri

    pages = []
    for n in range(2):
        img = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
        ImageDraw.Draw(img).rectangle([200, 800, 1000, 840], fill=(0, 0, 0) if n else (0, 0, 255))
        pages.append(img)
    path = tmp_path / "scan.tiff"
    pages[0].save(path, save_all=True, append_images=pages[1:])
    px_per_pt = 1240 / 595.0
    bbox = [200 / px_per_pt, 800 / px_per_pt, 1000 / px_per_pt, 840 / px_per_pt]
    uri = provenance_to_crop_uri(path, {"page": 2, "bbox": bbox}, {2: 595.0})
    crop = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")).astype(int)
    assert 800 < crop.shape[1] < 1240 and crop.shape[0] < 400  # the box plus a margin, not the page
    blue = ((crop[..., 2] > 200) & (crop[..., 0] < 60)).sum()
    black = ((crop.sum(axis=2) < 60)).sum()
    assert black > 1000 and blue == 0  # page 2's black bar, not page 1's blue one
    assert provenance_to_crop_uri(path, {"page": 2, "bbox": None}) is None
    assert provenance_to_crop_uri(tmp_path / "plan.txt", {"page": 1, "bbox": bbox}) is None


def test_real_pipeline_runs_through_the_audit(samples, tmp_path):
    """The audit drives the real pipeline (text-layer PDF: no OCR) and reports whatever it finds."""
    result = audit.run_audit(samples)
    assert [d.pair.name for d in result.documents] == ["son-la"]
    assert result.documents[0].error is None, result.documents[0].error
    assert result.documents[0].document.source.kind == "pdf"
    json_path, html_path = audit.write_reports(result, tmp_path / "real")
    assert json.loads(json_path.read_text(encoding="utf-8"))["documents"][0]["name"] == "son-la"


def test_records_of_an_earlier_run_are_scored_without_rerunning(samples, tmp_path, monkeypatch):
    """`audit --records DIR`: the records the batch wrote are read back, the pipeline is not run."""
    records_dir = tmp_path / "records"
    first = audit.run_audit(samples, jobs=1, records_dir=records_dir)
    assert (records_dir / "son-la.json").exists()

    from kehoach.pipeline import batch as pipeline_batch
    def no_run(*args, **kwargs):
        raise AssertionError("the pipeline must not run with run=False")

    monkeypatch.setattr(pipeline_batch, "run_batch", no_run)
    again = audit.run_audit(samples, records_dir=records_dir, run=False)
    assert again.totals()["tasks"]["items"] == first.totals()["tasks"]["items"]
    assert again.documents[0].document.metadata.number == first.documents[0].document.metadata.number

    (records_dir / "son-la.json").unlink()
    missing = audit.run_audit(samples, records_dir=records_dir, run=False)
    assert missing.documents[0].error.startswith("RuntimeError: no record son-la.json")
    assert missing.f1 == 0.0

    (records_dir / "son-la.json").write_text('{"source": 3}', encoding="utf-8")
    broken = audit.run_audit(samples, records_dir=records_dir, run=False)
    assert broken.documents[0].error.startswith("RuntimeError: unreadable record son-la.json")
