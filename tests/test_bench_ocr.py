"""The scoring pieces of `kehoach bench ocr` (bench/ocr.py), on literal inputs."""
from __future__ import annotations

from kehoach.bench.ocr import OcrChoice, parse_choices, rows_to_scores, text_to_words


def test_words_are_letters_or_digits_without_the_punctuation_around_them():
    assert text_to_words("Quyết ¬ | ˆ cao; của. (a) 1.2 - _ “Chuyển” đổi-số") == [
        "Quyết", "cao", "của", "a", "1.2", "Chuyển", "đổi-số"]


def test_rows_found_and_cell_similarity():
    ref = [["1", "Rà soát thể chế", "Sở Tư pháp", "Tháng 8/2025"],
           ["2", "Xây dựng kế hoạch", "Văn phòng UBND", "Quý IV/2025"]]
    got = [["1", "Rà soát thế chế", "Sở Tư pháp", "Tháng 8/2025"],   # one tone slip
           ["Phụ lục"]]                                                 # row 2 not read
    found, similarity, cells = rows_to_scores(ref, got)
    assert found == 1 and cells == 4
    assert 0.9 < similarity / cells < 1.0
    assert rows_to_scores(ref, []) == (0, 0.0, 0)


def test_choices_are_every_model_at_every_resolution():
    assert parse_choices("vie,script/Vietnamese", "own,300") == [
        OcrChoice("vie", None), OcrChoice("vie", 300),
        OcrChoice("script/Vietnamese", None), OcrChoice("script/Vietnamese", 300)]
    assert OcrChoice("vie", None).label == "vie @ own"
