"""Tests of normalize.restore: helpers, the API contract, and leave-one-out accuracy floors."""
from __future__ import annotations

import pytest

from normalize.restore import Restorer, RestoreResult
from normalize.restore.channel import pair_to_chunks
from normalize.restore.text import canonical_tone, core_kind, fold, token_to_parts
from normalize.restore.train import build_model, evaluate_doc


@pytest.mark.parametrize("word, expected", [
    ("hoá", "hóa"), ("thuỷ", "thủy"), ("Uỷ", "Ủy"), ("quý", "quý"), ("hoạch", "hoạch"),
    ("toán", "toán"), ("của", "của"),
])
def test_canonical_tone(word: str, expected: str) -> None:
    assert canonical_tone(word) == expected


@pytest.mark.parametrize("raw, gold, chunk", [
    ("ciia", "của", ("ii", "u")), ("s6", "số", ("6", "o")), ("pang", "đảng", ("p", "d")),
    ("x&", "xã", ("&", "a")), ("s", "số", ("s", "so")),
])
def test_pair_to_chunks_finds_the_confusion(raw: str, gold: str, chunk: tuple[str, str]) -> None:
    assert chunk in pair_to_chunks(raw, fold(gold))


@pytest.mark.parametrize("token, parts, kind", [
    ("(Bon),", ("(", "Bon", "),"), "word"),
    ("02-KH/BCDTW", ("", "02-KH/BCDTW", ""), "code"),
    ("19/6/2025", ("", "19/6/2025", ""), "code"),
    ("2025.", ("", "2025", "."), "number"),
    ("1¢", ("", "1¢", ""), "word"),
    ("hoa—", ("", "hoa", "—"), "word"),
    ("57-", ("", "57", "-"), "number"),
])
def test_token_to_parts_and_kind(token: str, parts: tuple, kind: str) -> None:
    assert token_to_parts(token) == parts
    assert core_kind(parts[1]) == kind


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.load()


@pytest.mark.parametrize("raw, gold", [
    ("Ké hoach s6 02-KH/BCDTW ngay 19/6/2025 ciia Ban Chi dao",
     "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo"),
    ("Trung wong vé phat trién khoa hec, cong nghé, déi méi sang tao va",
     "Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và"),
    ("Quyết định số 06/QD-TTg", "Quyết định số 06/QĐ-TTg"),
])
def test_restore_corpus_phrasings(restorer: Restorer, raw: str, gold: str) -> None:
    assert restorer.restore_text(raw).text == gold


@pytest.mark.parametrize("raw, fixed", [
    ("06/QP-TTg", "06/QĐ-TTg"), ("10-KH/DU", "10-KH/ĐU"), ("HDND&UBND", "HĐND&UBND"),
    ("02-KH/BCDTW", "02-KH/BCĐTW"), ("57-NQ/TW", "57-NQ/TW"), ("09/2025/ND-CP", "09/2025/NĐ-CP"),
])
def test_codes_fixed_only_to_known_abbreviations(restorer: Restorer, raw: str, fixed: str) -> None:
    assert restorer.restore_text(f"Thuc hien {raw} ngay").text.split()[2] == fixed


def test_restore_keeps_lines_tokens_and_reports_edits(restorer: Restorer) -> None:
    text = "  Ké hoach s6 02-KH/BCDTW\n\nngay 19/6/2025 ciia Ban\n"
    res = restorer.restore_text(text)
    assert isinstance(res, RestoreResult)
    assert [len(l.split()) for l in res.text.split("\n")] == [len(l.split()) for l in text.split("\n")]
    assert res.text.startswith("  Kế")
    lines = text.split("\n")
    for e in res.edits:
        assert lines[e.line].split()[e.index] == e.raw
        assert res.text.split("\n")[e.line].split()[e.index] == e.text
    assert {(e.line, e.index, e.text) for e in res.edits} >= {(0, 0, "Kế"), (2, 2, "của")}


def test_correct_text_and_urls_unchanged(restorer: Restorer) -> None:
    text = ("Căn cứ Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo Trung ương về phát triển "
            "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số; xem https://dichvucong.gov.vn.")
    assert restorer.restore_text(text).text == text


def test_load_is_cached_and_pickles_as_its_path() -> None:
    import pickle

    r = Restorer.load()
    assert r is Restorer.load()
    data = pickle.dumps(r)
    assert len(data) < 10_000
    assert pickle.loads(data) is r


@pytest.fixture(scope="module")
def fold_001() -> dict:
    """One leave-one-out fold: trained without 001-son-la, scored on it."""
    return evaluate_doc("001-son-la", model=build_model({"001-son-la"}))


def test_loo_raw_accuracy_floor(fold_001: dict) -> None:
    assert fold_001["raw"]["before"] < 0.2
    assert fold_001["raw"]["after"] >= 0.95


def test_loo_correct_text_mostly_unchanged(fold_001: dict) -> None:
    assert fold_001["clean"]["after"] >= 0.998


def test_loo_vie_ocr_improves(fold_001: dict) -> None:
    assert fold_001["vie"]["after"] >= fold_001["vie"]["before"] + 0.015
