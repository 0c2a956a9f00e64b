"""The sample corpus (samples/): deterministic build, real text layers and ruled tables in the
born-digital PDFs, no text layer in the scans, expected records valid in the project schema."""
from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from samples import build_samples as bs
from samples.degrade import DegradeSettings, degrade_page, draw_skew
from kehoach.schema import Document

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FIXTURES = ROOT / "tests" / "fixtures"
PLANS = ["000-cho-don", "001-son-la", "003-xa", "004-tan-ky"]
TABLE_PLANS = ["000-cho-don", "001-son-la", "004-tan-ky"]


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.fail(f"{path} missing: run `make samples`")
    return path


# --- determinism -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["001-son-la.pdf", "001-son-la.scan-short.pdf", "plan-tcvn3.txt",
                                  "mixed-text-scan.pdf", "tcvn3-text-layer.pdf",
                                  "000-cho-don.word.docx"])
def test_rebuild_gives_identical_bytes(tmp_path, name):
    bs.main(["--out", str(tmp_path), "--only", name])
    built = next(tmp_path.rglob(name))
    committed = FIXTURES / name if (FIXTURES / name).exists() else sample(name)
    assert built.read_bytes() == committed.read_bytes()


def test_rebuilt_expected_records_match_committed(tmp_path):
    name = "003-xa.expected.json"
    bs.main(["--out", str(tmp_path), "--only", "003-xa.pdf", "--only", name])
    assert json.loads((tmp_path / name).read_text("utf-8")) == json.loads(sample(name).read_text("utf-8"))


# --- born-digital PDFs -------------------------------------------------------------------

@pytest.mark.parametrize("plan", PLANS)
def test_born_digital_pdf_has_text_layer_with_header(plan):
    records = bs.load_records(plan)
    with pdfplumber.open(sample(f"{plan}.pdf")) as pdf:
        first = pdf.pages[0].extract_text()
    assert "KẾ HOẠCH" in first
    if records["number"]:
        assert records["number"] in first.replace(" ", "")
    assert records["title"].split()[0] in first


@pytest.mark.parametrize("plan", TABLE_PLANS)
def test_born_digital_pdf_has_ruled_tables_with_every_appendix_row(plan):
    plans = bs.load_plans()
    records = bs.load_records(plan)
    cells: list[str] = []
    header_rows = 0
    with pdfplumber.open(sample(f"{plan}.pdf")) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                header_rows += 1
                cells += [bs.squash(c) for row in table for c in row if c]
    table_apps = [a for a in plans[plan].appendices if a.layout == "table"]
    assert header_rows > len(table_apps), "tables continue across pages with the header repeated"
    for app in table_apps:
        assert bs.squash(app.columns[1].title) in cells
        for item in bs.appendix_items(records, app):
            assert bs.squash(item["text"]) in cells, item["text"][:60]


def test_section_rows_span_the_table():
    with pdfplumber.open(sample("001-son-la.pdf")) as pdf:
        page = next(p for p in pdf.pages if p.find_tables())
        rows = page.extract_tables()[0]
    section = rows[1]
    assert section[0] == "1" and section[1].startswith("Rà soát, hoàn thiện thể chế")
    assert all(c is None for c in section[2:]), "a section row is one merged cell after its numeral"


def test_printed_unit_abbreviation_is_in_the_table_and_expected_raw():
    with pdfplumber.open(sample("000-cho-don.pdf")) as pdf:
        text = bs.squash(" ".join(p.extract_text() for p in pdf.pages))
    assert "Trung tâm PV HCC" in text
    doc = json.loads(sample("000-cho-don.expected.json").read_text("utf-8"))
    refs = [u for t in doc["tasks"] for u in t.get("lead_units", [])]
    assert {"raw": "Trung tâm PV HCC", "name": "Trung tâm Phục vụ hành chính công"} in refs


# --- scans and images ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["001-son-la.scan-short.pdf", "001-son-la.scan.pdf", "000-cho-don.scan.pdf",
                                  "004-tan-ky.scan.pdf"])
def test_scan_has_no_text_layer_and_is_small(name):
    path = sample(name)
    with pdfplumber.open(path) as pdf:
        assert all(not p.chars for p in pdf.pages)
        assert all(p.images for p in pdf.pages)
        n = len(pdf.pages)
    assert path.stat().st_size / n < 120_000


def test_short_scan_is_first_page_and_a_task_table_page():
    with pdfplumber.open(sample("001-son-la.scan-short.pdf")) as pdf:
        sizes = [(p.width, p.height) for p in pdf.pages]
    assert len(sizes) == 2
    assert sizes[0][0] < sizes[0][1] and sizes[1][0] > sizes[1][1]  # portrait body, landscape table


def test_tiff_has_two_pages_and_jpeg_is_one():
    with Image.open(sample("001-son-la.pages1-2.tiff")) as im:
        assert im.n_frames == 2
    with Image.open(sample("001-son-la.page1.jpg")) as im:
        assert im.format == "JPEG" and im.mode == "L"


# --- degrade ------------------------------------------------------------------------------

def test_degrade_page_is_deterministic_and_changes_the_page():
    clean = Image.new("L", (300, 200), 255)
    clean.paste(0, (50, 80, 250, 100))
    a = degrade_page(clean, seed=7)
    b = degrade_page(clean, seed=7)
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != degrade_page(clean, seed=8).tobytes()
    import numpy as np

    paper = np.asarray(a)[:40, :]  # a band with no ink
    assert 200 < paper.mean() < 240 and a.size == clean.size  # grey paper, same size


@pytest.mark.parametrize("seed", range(5))
def test_skew_stays_in_range(seed):
    s = DegradeSettings()
    assert s.skew_deg[0] <= abs(draw_skew(seed, s)) <= s.skew_deg[1]


def test_degrade_binarize_gives_one_bit():
    assert degrade_page(Image.new("L", (50, 50), 255), seed=1, binarize=True).mode == "1"


# --- legacy-encoding fixtures -------------------------------------------------------------

@pytest.mark.parametrize("name,codec", [("plan-utf16.txt", "utf-16"), ("plan-cp1258.txt", "cp1258")])
def test_text_fixtures_decode_to_the_utf8_text(name, codec):
    import unicodedata

    utf8 = (FIXTURES / "plan-utf8.txt").read_text("utf-8")
    decoded = unicodedata.normalize("NFC", (FIXTURES / name).read_bytes().decode(codec))
    assert decoded == utf8


@pytest.mark.parametrize("name,marker", [("plan-tcvn3.txt", "KÕ HO¹CH"), ("plan-vni.txt", "KEÁ HOAÏCH")])
def test_legacy_text_fixtures_hold_legacy_bytes(name, marker):
    data = (FIXTURES / name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert marker in data.decode("cp1252", errors="replace")


def test_tcvn3_pdf_text_layer_is_mojibake():
    with pdfplumber.open(FIXTURES / "tcvn3-text-layer.pdf") as pdf:
        text = pdf.pages[0].extract_text()
    assert "KÕ HO¹CH" in text and "KẾ HOẠCH" not in text


def test_mixed_pdf_has_text_page_then_image_page():
    with pdfplumber.open(FIXTURES / "mixed-text-scan.pdf") as pdf:
        first, second = pdf.pages
        assert "KẾ HOẠCH" in first.extract_text()
        assert not second.chars and second.images


# --- expected records ------------------------------------------------------------------------

EXPECTED = sorted(p.name for p in SAMPLES.glob("*.expected.json"))


@pytest.mark.parametrize("name", EXPECTED)
def test_expected_records_validate_and_point_at_their_sample(name):
    doc = Document.model_validate_json((SAMPLES / name).read_text("utf-8"))
    src = ROOT / doc.source.path
    assert src.exists(), doc.source.path
    import hashlib

    assert hashlib.sha256(src.read_bytes()).hexdigest() == doc.source.sha256


def test_every_plan_input_has_expected_records():
    inputs = [p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".jpg", ".tiff") or p.name.endswith(".ocr.txt")]
    assert len(inputs) >= 12
    for p in inputs:
        stem = p.name[: -len(".txt")] if p.name.endswith(".ocr.txt") else p.stem
        assert (SAMPLES / f"{stem}.expected.json").exists(), p.name


@pytest.mark.parametrize("plan", PLANS)
def test_full_expected_records_carry_every_gold_item(plan):
    gold = bs.load_records(plan)
    doc = Document.model_validate_json(sample(f"{plan}.expected.json").read_text("utf-8"))
    assert len(doc.targets) == len(gold["targets"] or [])
    assert len(doc.tasks) == len(gold["tasks"] or [])
    assert all(u.raw and u.name for it in doc.tasks + doc.targets for u in it.lead_units + it.cooperating_units)


def test_partial_samples_keep_only_visible_items():
    short = Document.model_validate_json(sample("001-son-la.scan-short.expected.json").read_text("utf-8"))
    assert short.metadata.number == "169/KH-UBND" and short.metadata.signer.name is None
    assert [t.ordinal for t in short.tasks] == ["a", "b", "c", "d"]


# --- paragraph reflow ----------------------------------------------------------------------

def test_lines_to_paragraphs_joins_wrapped_lines_and_splits_list_items():
    lines = ["I. MỤC ĐÍCH, YÊU CẦU", "", "1. Triển khai đồng bộ các giải pháp nhằm nâng cao chất lượng, hiệu quả",
             "cung cấp dịch vụ công trực tuyến theo Quyết định số 06/QĐ-", "TTg.", "3", "- Về số lượng:"]
    paras = bs.lines_to_paragraphs(lines, blank_line_paragraphs=True)
    assert paras[0] == ("heading", "I. MỤC ĐÍCH, YÊU CẦU")
    assert paras[1][1].endswith("Quyết định số 06/QĐ-TTg.")
    assert paras[2] == ("body", "- Về số lượng:")


def test_blank_line_mid_sentence_does_not_split_a_paragraph():
    lines = ["- Chuyển đổi số là quá trình đổi mới toàn diện phương thức làm việc của", "",
             "các cơ quan trong hệ thống chính trị.", "", "2. Quan điểm chỉ đạo"]
    paras = bs.lines_to_paragraphs(lines, blank_line_paragraphs=True)
    assert [s for s, _ in paras] == ["body", "subheading"]
    assert paras[0][1].endswith("làm việc của các cơ quan trong hệ thống chính trị.")


@pytest.mark.parametrize("name,text,raw", [
    ("Văn phòng HĐND và UBND xã",
     "Văn phòng HĐND-UBND xã chủ trì, phối hợp với các cơ quan, đơn vị triển khai vận hành", "Văn phòng HĐND-UBND xã"),
    ("Phòng Văn hóa - Xã hội",
     "Giao phòng Văn hoá - Xã hội tổng hợp tham mưu UBND xã báo cáo Ban Chỉ đạo xã", "phòng Văn hoá - Xã hội"),
    ("Công an xã", "Công an, Văn phòng HĐND-UBND xã: (1) Triển khai các giải pháp giám sát", "Công an"),
    ("Sở Tài chính", "Các cơ quan, đơn vị tiếp tục triển khai các chương trình nâng cao kỹ năng số", None),
])
def test_unit_span_in_text_finds_the_printed_form(name, text, raw):
    assert bs.unit_span_in_text(name, text) == raw
