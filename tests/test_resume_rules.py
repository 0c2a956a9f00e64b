"""A resumed batch knows what made each record: a change of the rules, the restoration
model or the kehoach version redoes the record from its saved pages (no reading or OCR
again); a change of the OCR options reads the input again."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from kehoach.core import settings as settings_module
from kehoach.core.settings import BUNDLED_MODEL, ROOT, Settings, rule_files, stage_rules_digest
from kehoach.extract.units_identity import PLACES_FILE
from kehoach.pipeline.batch import collect_inputs, run_batch
from kehoach.schema import Document

from fake_ocr import FailingEngine, RecordedEngine

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


def test_every_rule_table_of_extract_is_hashed():
    hashed = set(rule_files())
    tables = [p for p in (ROOT / "extract" / "data").rglob("*") if p.is_file()]
    assert tables and set(tables) <= hashed
    assert PLACES_FILE in hashed                   # read by extract from normalize/data
    assert BUNDLED_MODEL not in hashed             # hashed on its own, when restoring


OCR_LINES = ["ỦY BAN NHÂN DÂN XÃ CHỢ ĐỒN", "Số: 12/KH-UBND", "KẾ HOẠCH",
             "Thực hiện chuyển đổi số năm 2025", "I. NHIỆM VỤ",
             "1. Phòng Kinh tế chủ trì, hoàn thành trước ngày 30/6/2025."]


def _scan_batch(tmp_path: Path) -> tuple[list[Path], Path, Document]:
    """A one-page scanned input read once by the recorded engine: (inputs, out, record)."""
    from PIL import Image

    src = tmp_path / "in"
    src.mkdir()
    Image.new("L", (850, 1100), 255).save(src / "scan.png", dpi=(100, 100))
    out = tmp_path / "out"
    engine = RecordedEngine(OCR_LINES)
    report = run_batch(collect_inputs([src]), out, Settings(jobs=1), engine=engine)
    assert engine.images == 1 and [p.name for p in report.written] == ["scan.json"]
    return collect_inputs([src]), out, Document.model_validate_json((out / "scan.json").read_text("utf-8"))


def test_a_rule_change_reextracts_an_up_to_date_batch_without_ocr(tmp_path, monkeypatch):
    inputs, out, before = _scan_batch(tmp_path)
    # the rules of another build: a copy of the rule files with one more unit alias
    rules = tmp_path / "rules"
    for top in settings_module.RULE_DIRS:
        shutil.copytree(ROOT / top, rules / top, ignore=shutil.ignore_patterns("__pycache__", "*.gz"))
    units = rules / "extract" / "data" / "units.yaml"
    units.write_text(units.read_text("utf-8") + "\n# a new alias\n", encoding="utf-8")
    monkeypatch.setattr(settings_module, "stage_rules_digest", lambda: stage_rules_digest(rules))
    settings = Settings(jobs=1)
    assert settings.reading_fingerprint() == before.produced_by.options.split("-")[0]
    assert settings.fingerprint() != before.produced_by.options
    report = run_batch(inputs, out, settings, engine=FailingEngine())
    assert not report.failed, report.messages
    assert [p.name for p in report.refinished] == ["scan.png"] and not report.skipped
    after = Document.model_validate_json((out / "scan.json").read_text("utf-8"))
    assert after.produced_by.options == settings.fingerprint()
    assert [p.raw_text for p in after.pages] == [p.raw_text for p in before.pages]
    assert after.model_dump(exclude={"produced_by"}) == before.model_dump(exclude={"produced_by"})
    assert after.metadata.number == "12/KH-UBND" and after.tasks
    # and now it is up to date
    assert len(run_batch(inputs, out, settings, engine=FailingEngine()).skipped) == 1


def test_a_version_bump_alone_does_not_ocr_again(tmp_path, monkeypatch):
    inputs, out, before = _scan_batch(tmp_path)
    monkeypatch.setattr(settings_module, "kehoach_version", lambda: "99.0")
    report = run_batch(inputs, out, Settings(jobs=1), engine=FailingEngine())
    assert not report.failed, report.messages
    assert [p.name for p in report.refinished] == ["scan.png"]
    after = Document.model_validate_json((out / "scan.json").read_text("utf-8"))
    assert after.produced_by.version == "99.0"
    assert after.tasks == before.tasks


@pytest.mark.parametrize("option", [{"dpi": 200}, {"psm": 6}, {"lang": "vie+eng"}])
def test_a_change_of_ocr_options_reads_again(tmp_path, option):
    inputs, out, before = _scan_batch(tmp_path)
    engine = RecordedEngine(OCR_LINES)
    report = run_batch(inputs, out, Settings(jobs=1, **option), engine=engine)
    assert engine.images == 1 and not report.refinished and not report.skipped


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
