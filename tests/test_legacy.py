"""Legacy Vietnamese encodings: tables, round trips, detection on the corpus."""
from __future__ import annotations

import unicodedata

import pytest

from kehoach.ingest.legacy import (
    detect_legacy,
    encode_tcvn3,
    encode_vni,
    legacy_to_unicode,
    repair_legacy,
    tcvn3_tables,
    tcvn3_to_unicode,
    vni_to_unicode,
)
from kehoach.core.syllable import is_vietnamese_syllable
from kehoach.core import corpus

GOLD = sorted(corpus.GOLD.glob("*.txt"))
RAW = sorted(corpus.RAW.glob("*.txt"))


def _all_letters() -> list[str]:
    """Every non-ASCII Vietnamese letter: 12 vowels x 6 tones, both cases, plus đ/Đ."""
    out = []
    for vowel in "a ă â e ê i o ô ơ u ư y".split():
        for tone in ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"):
            letter = unicodedata.normalize("NFC", vowel + tone)
            if not letter.isascii():
                out += [letter, letter.upper()]
    return out + ["đ", "Đ"]


LETTERS = _all_letters()
# capitals with a tone mark: no code of their own in the VN3 fonts (.VnTimeH draws them)
VN3_SHARED = [c for c in LETTERS if c.isupper() and c not in "ĂÂÊÔƠƯĐ"]


def test_all_134_letters_are_listed():
    assert len(LETTERS) == len(set(LETTERS)) == 134
    assert len(VN3_SHARED) == 60


# --- round trips over every letter ------------------------------------------------------
@pytest.mark.parametrize("letter", LETTERS)
def test_vni_round_trip_every_letter(letter):
    encoded = encode_vni(letter)
    assert encoded != letter or letter in "ìíÌÍ"  # VNI keeps ì/í as Latin-1 ì/í
    assert vni_to_unicode(encoded) == letter
    assert vni_to_unicode(encode_vni(f"x{letter}n")) == f"x{letter}n"


@pytest.mark.parametrize("letter", LETTERS)
def test_tcvn3_vn1_round_trip_every_letter(letter):
    encoded = encode_tcvn3(letter, variant="vn1")
    assert len(encoded) == 1 and ord(encoded) < 0x100
    assert tcvn3_to_unicode(encoded) == letter


@pytest.mark.parametrize("letter", [c for c in LETTERS if c not in VN3_SHARED])
def test_tcvn3_vn3_round_trip_own_code(letter):
    assert tcvn3_to_unicode(encode_tcvn3(letter)) == letter


@pytest.mark.parametrize("letter", VN3_SHARED)
def test_tcvn3_vn3_capital_restored_in_capital_word(letter):
    # "KÕ HO¹CH": a .VnTimeH heading uses lowercase codes inside a capital word
    assert encode_tcvn3(letter) == encode_tcvn3(letter.lower())
    assert tcvn3_to_unicode(encode_tcvn3(f"{letter}NH")) == f"{letter}NH"
    assert tcvn3_to_unicode(encode_tcvn3(f"T{letter}")) == f"t{letter.lower()}".title()


def test_tcvn3_codes_are_unique():
    tables = tcvn3_tables()
    assert len(set(tables.encode_vn1.values())) == 134
    assert len(set(tables.encode_vn3.values())) == 134 - 60


# --- literal conversions of real phrasings ------------------------------------------------
@pytest.mark.parametrize("legacy, unicode_text", [
    ("KÕ ho¹ch", "Kế hoạch"),
    ("KÕ HO¹CH", "KẾ HOẠCH"),
    ("Tæ CHøC THùC HIÖN", "TỔ CHỨC THỰC HIỆN"),
    ("I. MôC §ÝCH, Y£U CÇU", "I. MỤC ĐÍCH, YÊU CẦU"),
    ("chuyÓn ®æi sè trªn ®Þa bµn x· Chî §ån", "chuyển đổi số trên địa bàn xã Chợ Đồn"),
    ("M\xadêng Kh\xad¬ng", "Mường Khương"),
    ("Sè 10-KH/§U T©n Kú", "Số 10-KH/ĐU Tân Kỳ"),  # ĐU in a code says nothing about "Sè"
])
def test_tcvn3_literal(legacy, unicode_text):
    assert tcvn3_to_unicode(legacy) == unicode_text
    assert detect_legacy(legacy) == "tcvn3"


@pytest.mark.parametrize("legacy, unicode_text", [
    ("Keá hoaïch", "Kế hoạch"),
    ("KEÁ HOAÏCH", "KẾ HOẠCH"),
    ("Vieät Nam", "Việt Nam"),
    ("chuyeån ñoåi soá treân ñòa baøn xaõ Chôï Ñoàn", "chuyển đổi số trên địa bàn xã Chợ Đồn"),
    ("Ñaûng uûy xaõ Taân Kyø", "Đảng ủy xã Tân Kỳ"),
    ("Aùp duïng", "Áp dụng"),  # a capital base with a small mark byte
])
def test_vni_literal(legacy, unicode_text):
    assert vni_to_unicode(legacy) == unicode_text
    assert detect_legacy(legacy) == "vni"


# --- detection ----------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo",
    "UBND xã Chợ Đồn",
    "The committee approved the plan on 19 June 2025; see Annex I for targets.",
    "Le président a été élu à la majorité. Où est la fête? Très bien, à bientôt.",
    "Über die Brücke gehen wir schön langsam, für immer.",
    "El señor pidió una canción en el año pasado.",
    "Résumé: naïve café owner’s déjà vu — “quoted” text…",
    "2025 | 2030 | 2035", "", "   ", "«", "£ 5",
    "Céc phong, don vi",  # old OCR without Vietnamese: é is not TCVN3 "ộ"
])
def test_not_legacy(text):
    assert detect_legacy(text) is None
    assert repair_legacy(text) == (text, None)


@pytest.mark.parametrize("path", GOLD + RAW, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_corpus_text_is_not_flagged(path):
    text = path.read_text(encoding="utf-8")
    assert detect_legacy(text) is None
    flagged = [ln for ln in text.splitlines() if detect_legacy(ln)]
    assert flagged == []


def _unrepresentable_tokens(text: str) -> set[int]:
    """Token indexes holding characters TCVN3 uses as letter codes (gold keeps OCR
    garbage such as "®" or "«", which TCVN3 cannot write)."""
    codes = {chr(c) for c in tcvn3_tables().decode}
    return {i for i, tok in enumerate(text.split()) if set(tok) & codes}


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_vni_flagged_and_exact(path):
    gold = path.read_text(encoding="utf-8")
    encoded = encode_vni(gold)
    assert detect_legacy(encoded) == "vni"
    assert legacy_to_unicode(encoded, "vni") == gold


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_tcvn3_vn1_flagged_and_exact(path):
    gold = path.read_text(encoding="utf-8")
    encoded = encode_tcvn3(gold, variant="vn1")
    assert detect_legacy(encoded) == "tcvn3"
    back = repair_legacy(encoded)[0]
    skip = _unrepresentable_tokens(gold)
    assert [t for i, t in enumerate(back.split()) if i not in skip] == \
        [t for i, t in enumerate(gold.split()) if i not in skip]


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_tcvn3_vn3_flagged_and_exact_but_titlecase(path):
    gold = path.read_text(encoding="utf-8")
    encoded = encode_tcvn3(gold)
    assert detect_legacy(encoded) == "tcvn3"
    back = tcvn3_to_unicode(encoded)
    skip = _unrepresentable_tokens(gold)
    pairs = [(g, b) for i, (g, b) in enumerate(zip(gold.split(), back.split())) if i not in skip]
    assert len(back.split()) == len(gold.split())
    diffs = [(g, b) for g, b in pairs if g != b]
    # the only loss: a word starting with a toned capital then going on in lowercase ("Ủy")
    for g, b in diffs:
        assert g[0] in VN3_SHARED and b == g[0].lower() + g[1:] and not g[1:].isupper()
    assert len(diffs) <= 0.01 * len(pairs)


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_lines_flagged_individually(path):
    """Line by line (short strings): most legacy lines are found, none is misread."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if len(ln.split()) >= 4 and not ln.isascii()]
    for name, encode in (("tcvn3", encode_tcvn3), ("vni", encode_vni)):
        found = [detect_legacy(encode(ln)) for ln in lines]
        wrong = [ln for ln, f in zip(lines, found) if f not in (name, None)]
        assert found.count(name) >= 0.95 * len(lines)
        assert len(wrong) <= 0.01 * len(lines)


# --- syllables ---------------------------------------------------------------------------
@pytest.mark.parametrize("word", [
    "Kế", "hoạch", "nghiêng", "khuyến", "giữa", "gì", "gìn", "quốc", "quý", "hoá", "hóa",
    "thuỷ", "thủy", "khuỷu", "người", "Đảng", "ĐẢNG", "uỷ", "ủy", "chuyển", "đổi", "số",
    "tiếng", "xoong", "oanh", "huỳnh", "khuya", "thuở", "yêu", "ếch",
])
def test_vietnamese_syllables(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize("word", [
    "KÕ", "ho¹ch", "kõ", "ka", "ghà", "nghà", "cé", "mắ", "hóà", "hòan", "muá", "ngươì",
    "chat", "and", "UBND", "Keá", "hoaïch", "tổnh", "ting", "qa", "", "nghiêngg", "xyz",
])
def test_not_vietnamese_syllables(word):
    assert not is_vietnamese_syllable(word)
