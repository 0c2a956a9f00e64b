"""Section numerals misread by old OCR, read back in their order (normalize/restore/numerals.py)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from kehoach.normalize.restore import Restorer
from kehoach.normalize.restore.numerals import SectionNumerals, lines_to_numeral_fixes, load_numerals
from kehoach.normalize.restore.text import text_to_lines

# a plan's skeleton in old OCR (own wording): headings in capitals, their numerals misread
PLAN = """KE HOACH
Trien khai chuyen doi so nam 2026
1. MUC TIEU, YEU CAU
1. Hoan thanh cac chi tieu cua tinh giao.
Il. NHIEM VU VA GIAI PHAP
1. Phat trien ha tang so.
IL. TO CHUC THUC HIEN
1y. KINH PHI THUC HIEN
Cac phong, ban chu tri thuc hien."""


def _fixed(text: str) -> dict[str, str]:
    lines = text_to_lines(text)
    return {lines[li][pi]: new for (li, pi), new in lines_to_numeral_fixes(lines).items()}


def test_misread_numerals_follow_the_order() -> None:
    # 'Il.' after I is II; 'IL.' after II (a repeat of II by its letters) is III; '1y' is IV;
    # the list items '1.' under the headings are no headings and stay
    assert _fixed(PLAN) == {"1.": "I.", "Il.": "II.", "IL.": "III.", "1y.": "IV."}


def test_a_plan_numbered_with_digits_keeps_them() -> None:
    text = "1. MUC TIEU\nNoi dung.\n2. NHIEM VU\nNoi dung.\n3. TO CHUC THUC HIEN\nNoi dung."
    assert _fixed(text) == {}


def test_valid_numerals_are_kept_and_a_printed_i_starts_again() -> None:
    text = "I. MUC TIEU\nII. NHIEM VU\nPHU LUC\nI. NHIEM VU VE HA TANG\nTl. NHIEM VU VE DU LIEU"
    assert _fixed(text) == {"Tl.": "II."}


def test_restorer_writes_the_numeral() -> None:
    out = Restorer.load().restore_text(PLAN).text.split("\n")
    assert [line.split()[0] for line in out[2:8] if line.split()[0] != "1."] == ["I.", "II.", "III.", "IV."]


def test_the_table_is_validated() -> None:
    data = load_numerals().model_dump()
    assert set(data["look_alikes"]) == {"I", "V", "X"}
    with pytest.raises(ValidationError):
        SectionNumerals.model_validate({**data, "look_alikes": {"I": ["l"], "V": ["V"], "X": ["X"]}})
