"""Every metadata value carries where it was printed (extract.metadata_sources): the page,
the box of its own words (not of the whole header line it shares with the motto), the
printed text and its lines; a value that is not printed as read has no location."""
from __future__ import annotations

from pathlib import Path

import pytest

from kehoach import extract
from kehoach.core.corpus import CORPUS
from kehoach.core.settings import Settings
from kehoach.pipeline.runner import process_file
from kehoach.schema import Document, Page, Source

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def son_la() -> Document:
    return process_file(SAMPLES / "001-son-la.pdf", Settings(jobs=1))


def test_header_values_of_a_born_digital_plan_have_their_words_boxes(son_la):
    where = son_la.metadata.provenance
    assert (where.number.page, where.number.source) == (1, "169/KH-UBND")
    assert where.issued_date.source == "ngày 12 tháng 08 năm 2025"
    assert where.place.source == "Sơn La,"  # the words as printed, their punctuation kept
    assert where.doc_type.source == "KẾ HOẠCH"
    # the number shares its line with the place and date: its box is its own words'
    line_words = [w for w in son_la.pages[0].words if w.line == where.number.line_start]
    assert where.number.bbox[2] < max(w.bbox[2] for w in line_words) - 100
    assert where.number.bbox[0] <= where.place.bbox[0] and where.place.bbox[2] <= where.issued_date.bbox[0]
    # the issuer is printed over two lines beside the national motto
    assert where.issuer.source == "ỦY BAN NHÂN DÂN\nTỈNH SƠN LA"
    assert where.issuer.line_end == where.issuer.line_start + 1
    # the title wraps over three lines
    assert where.title.line_end - where.title.line_start == 2
    assert where.title.source.replace("\n", " ") == son_la.metadata.title
    # the signer's name, from the end of the plan
    assert (where.signer.source, where.signer.page) == ("Nguyễn Thành Công", 6)  # appendices follow
    # every field of MetadataProvenance is filled by extract (none left behind by a new field)
    assert [n for n in type(where).model_fields if getattr(where, n) is None] == []


def _text_document(name: str) -> Document:
    path = CORPUS / "gold" / f"{name}.txt"
    if not path.exists():
        pytest.skip(f"corpus not available: {path}")
    text = path.read_text(encoding="utf-8")
    return Document(source=Source(path=str(path), sha256="0", kind="text"),
                    pages=[Page(number=i + 1, method="ocr", raw_text=t, text=t)
                           for i, t in enumerate(text.split("\f"))])


def test_a_number_printed_with_other_spacing_is_found_and_kept_as_printed():
    doc = extract.run(_text_document("001-son-la"))
    assert doc.metadata.number == "169/KH-UBND"
    assert doc.metadata.provenance.number.source == "169 /KH-UBND"
    assert doc.metadata.provenance.number.bbox is None  # a text file has no boxes


def test_a_value_not_printed_as_read_has_no_location():
    doc = extract.run(_text_document("004-tan-ky"))
    # the issuer is read from the body ("Ban Thường vụ Đảng ủy xã"): printed so nowhere
    assert doc.metadata.issuer == "Ban Thường vụ Đảng ủy xã Tân Kỳ"
    assert doc.metadata.provenance.issuer is None
    assert doc.metadata.provenance.number.source == "10-KH/ĐU"
