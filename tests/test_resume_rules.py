"""A resumed batch knows what made each record: a change of the rules or the restoration
model redoes the record, from its saved pages (no reading or OCR again)."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from kehoach.pipeline.batch import collect_inputs, run_batch
from kehoach.core.settings import BUNDLED_MODEL, ROOT, Settings, stage_rules_digest
from kehoach.schema import Document

PLAN = ("ỦY BAN NHÂN DÂN XÃ CHỢ ĐỒN\nSố: 12/KH-UBND\nKẾ HOẠCH\nThuc hien chuyen doi so nam 2025\n"
        "I. NHIỆM VỤ\n1. Phòng Kinh tế chủ trì, hoàn thành trước ngày 30/6/2025.\n")


def _model_copy(path: Path) -> Path:
    """The bundled restoration model re-compressed: the same model in other bytes."""
    data = gzip.decompress(BUNDLED_MODEL.read_bytes())
    path.write_bytes(gzip.compress(data, compresslevel=1, mtime=0))
    return path


def test_rule_files_and_code_are_in_the_fingerprint(tmp_path):
    for top in ("extract", "normalize"):
        shutil.copytree(ROOT / top, tmp_path / top,
                        ignore=shutil.ignore_patterns("restore_sources", "__pycache__", "*.gz"))
    before = stage_rules_digest(tmp_path)
    units = tmp_path / "extract" / "data" / "units.yaml"
    units.write_text(units.read_text("utf-8") + "\n# a new alias\n", encoding="utf-8")
    stage_rules_digest.cache_clear()
    assert stage_rules_digest(tmp_path) != before
    assert stage_rules_digest(tmp_path) != stage_rules_digest(ROOT)


def test_a_new_model_redoes_records_from_their_saved_pages(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "plan.txt").write_text(PLAN, encoding="utf-8")
    first = Settings(jobs=1)
    other_model = Settings(jobs=1, model=str(_model_copy(tmp_path / "model.json.gz")))
    assert first.reading_fingerprint() == other_model.reading_fingerprint()
    assert first.rules_fingerprint() != other_model.rules_fingerprint()
    out = tmp_path / "out"
    run_batch(collect_inputs([src]), out, first)
    again = run_batch(collect_inputs([src]), out, other_model)
    assert [p.name for p in again.refinished] == ["plan.txt"] and not again.skipped
    redone = Document.model_validate_json((out / "plan.json").read_text("utf-8"))
    fresh_out = tmp_path / "fresh"
    run_batch(collect_inputs([src]), fresh_out, other_model)
    fresh = Document.model_validate_json((fresh_out / "plan.json").read_text("utf-8"))
    assert redone.model_dump() == fresh.model_dump()   # the same record as reading it anew
    assert redone.produced_by.options == other_model.fingerprint()
    assert len(run_batch(collect_inputs([src]), out, other_model).skipped) == 1


@pytest.mark.ocr
def test_refinishing_a_scan_does_not_ocr_it_again(tmp_path):
    """The second run cannot OCR (as if tesseract were gone): it still writes the record,
    from the saved OCR pages, with the new model."""
    from PIL import Image, ImageDraw, ImageFont

    from pdf_factory import FONT

    src = tmp_path / "in"
    src.mkdir()
    img = Image.new("L", (1240, 900), 255)
    ImageDraw.Draw(img).multiline_text((90, 120), "KẾ HOẠCH\nThực hiện chuyển đổi số năm 2025",
                                       font=ImageFont.truetype(FONT, 40), fill=0, spacing=18)
    img.save(src / "scan.png", dpi=(150, 150))
    out = tmp_path / "out"
    run_batch(collect_inputs([src]), out, Settings(jobs=1))
    before = Document.model_validate_json((out / "scan.json").read_text("utf-8"))
    no_ocr = Settings(jobs=1, model=str(_model_copy(tmp_path / "model.json.gz")),
                      ocr_unavailable="tesseract is not installed")
    report = run_batch(collect_inputs([src]), out, no_ocr)
    assert not report.failed, report.messages
    after = Document.model_validate_json((out / "scan.json").read_text("utf-8"))
    assert after.produced_by.options == no_ocr.fingerprint()
    assert [p.raw_text for p in after.pages] == [p.raw_text for p in before.pages]
    assert "chuyển đổi số" in after.pages[0].text
