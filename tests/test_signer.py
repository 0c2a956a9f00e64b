"""The signing authority as printed (TM. / KT. / T/M chains, beside the recipients list) and
the signer's name, also where old OCR gave the family name other marks."""
from __future__ import annotations

import pytest

from kehoach.extract.metadata import extract_metadata
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()

HEAD = ["ỦY BAN NHÂN DÂN", "XÃ KIM SƠN", "Số: 12/KH-UBND", "Kim Sơn, ngày 3 tháng 3 năm 2026",
        "KẾ HOẠCH", "Ứng dụng công nghệ số năm 2026", "Căn cứ tình hình thực tế của xã."]


@pytest.mark.parametrize("block, title, authority, position, name", [
    # body, then on behalf of the head, then the deputy who signs: beside the recipients
    (["Nơi nhận: TM. ỦY BAN NHÂN DÂN", "- UBND huyện; KT. CHỦ TỊCH", "- Lưu: VT. PHÓ CHỦ TỊCH", "",
      "Trịnh Quang Huy"],
     "TM. ỦY BAN NHÂN DÂN - KT. CHỦ TỊCH - PHÓ CHỦ TỊCH", ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"],
     "PHÓ CHỦ TỊCH", "Trịnh Quang Huy"),
    # the same, each authority line on its own line after the recipients
    (["Nơi nhận:", "- UBND huyện;", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
      "", "Trịnh Quang Huy"],
     "TM. ỦY BAN NHÂN DÂN - KT. CHỦ TỊCH - PHÓ CHỦ TỊCH", ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"],
     "PHÓ CHỦ TỊCH", "Trịnh Quang Huy"),
    (["Nơi nhận: TM. ỦY BAN NHÂN DÂN", "- UBND huyện; CHỦ TỊCH", "- Lưu: VT.", "Bùi Thị Thu"],
     "TM. ỦY BAN NHÂN DÂN - CHỦ TỊCH", ["TM. ỦY BAN NHÂN DÂN"], "CHỦ TỊCH", "Bùi Thị Thu"),
    (["Nơi nhận: CHỦ TỊCH", "- UBND huyện;", "- Lưu: VT.", "Bùi Thị Thu"],
     "CHỦ TỊCH", [], "CHỦ TỊCH", "Bùi Thị Thu"),
    # old OCR restored the family name with other marks: the list's spelling, the rest as read
    (["Nơi nhận: KT. CHỦ TỊCH", "- Như trên; PHÓ CHỦ TỊCH", "- Lưu: VT.", "Đảng Minh Tú"],
     "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH", ["KT. CHỦ TỊCH"], "PHÓ CHỦ TỊCH", "Đặng Minh Tú"),
    (["Nơi nhận: KT. CHỦ TỊCH", "- Như trên; PHÓ CHỦ TỊCH", "- Lưu: VT.", "Lệ Thị Hoa"],
     "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH", ["KT. CHỦ TỊCH"], "PHÓ CHỦ TỊCH", "Lê Thị Hoa"),
])
def test_signing_authority_and_name(block, title, authority, position, name):
    m = extract_metadata(HEAD + ["I. MỤC ĐÍCH", "Nội dung."] + block, RULES.metadata, RULES.units)
    assert m["signer"] == {"name": name, "title": title, "authority": authority, "position": position}


BLOCK = ["I. MỤC ĐÍCH", "Nội dung.", "Nơi nhận: KT. CHỦ TỊCH", "- Như trên; PHÓ CHỦ TỊCH", "- Lưu: VT."]


@pytest.mark.parametrize("printed, name, repaired", [
    # OCR changed one letter of the family name; the middle and given names are the list's
    ("Bãi Thị Thu", "Bùi Thị Thu", True),         # "Bàn" is one letter off too: the commoner wins
    ("Dé Mạnh Cường", "Đỗ Mạnh Cường", True),     # "Đ" printed "D" by OCR without Vietnamese letters
    ("DS Mạnh Cường", "Đỗ Mạnh Cường", True),
    ("Bùi Thị-Thu", "Bùi Thị Thu", False),         # a hyphen OCR read between two words of the name
    ("Đặng văn Khoa", "Đặng văn Khoa", False),     # a middle name in lower case is still a name
])
def test_a_signer_name_ocr_damaged(printed, name, repaired):
    m = extract_metadata(HEAD + BLOCK + [printed], RULES.metadata, RULES.units)
    assert m["signer"]["name"] == name
    assert any("family name" in w and repr(printed.split()[0]) in w for w in m["warnings"]) == repaired


@pytest.mark.parametrize("printed", [
    "Bãi Tràng Lớn",   # one letter off a family name, but no listed middle and given names: a place
    "3) Mạnh Cường",   # the family name lost: nothing to repair it from
])
def test_no_family_name_is_made_up(printed):
    m = extract_metadata(HEAD + BLOCK + [printed], RULES.metadata, RULES.units)
    assert m["signer"]["name"] is None


@pytest.mark.parametrize("printed, ocr_read_as", [
    # family names of the northern peoples the list lacks, one letter off a listed one, or
    # spelt otherwise by the list ("Vi"): on OCR'd text they read as damage, printed exactly
    # (a text layer, a Word file) they are the signer's own
    ("Lù Thị Thu", "Lê Thị Thu"),
    ("Lèo Văn Hùng", "Lê Văn Hùng"),
    ("Sa Văn Khoa", "Sầm Văn Khoa"),
    ("Vì Văn Hùng", "Vi Văn Hùng"),
])
def test_a_name_printed_exactly_is_kept_as_printed(printed, ocr_read_as):
    m = extract_metadata(HEAD + BLOCK + [printed], RULES.metadata, RULES.units, exact=True)
    assert m["signer"]["name"] == printed
    assert not any("family name" in w for w in m["warnings"])
    ocr = extract_metadata(HEAD + BLOCK + [printed], RULES.metadata, RULES.units)
    assert ocr["signer"]["name"] == ocr_read_as


def test_only_a_text_layer_or_word_file_read_whole_is_printed_exactly():
    from kehoach.extract import printed_exactly
    from kehoach.schema import Document, Page, Source, TokenEdit

    def doc(kind, *pages):
        return Document(source=Source(path="x", sha256="0" * 64, kind=kind), pages=list(pages))

    assert printed_exactly(doc("pdf", Page(number=1, method="text"), Page(number=2, method="text")))
    assert printed_exactly(doc("docx", Page(number=1, method="text")))
    assert not printed_exactly(doc("pdf", Page(number=1, method="text"), Page(number=2, method="ocr")))
    assert not printed_exactly(doc("text", Page(number=1, method="text")))   # old OCR text
    restored = Page(number=1, method="text", edits=[TokenEdit(line=0, index=0, raw="So", text="Sở")])
    assert not printed_exactly(doc("pdf", restored))   # a text layer without its marks, restored
    assert not printed_exactly(doc("pdf"))
