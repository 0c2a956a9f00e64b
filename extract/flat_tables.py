"""Appendix tables whose ruling was lost: old OCR text or a text layer read line by line.

Columns come interleaved line by line ("4 điều hành của các lãnh đạo và các Thường xuyên
Phòng Văn hóa— | Các phòng, đơn vị") or as separate cell paragraphs ("Trung tâm PV\\nHCC").
Rows are rebuilt as well as the text allows, from strong anchors:

* each line is split into the item-text column (left) and cell fragments (right): column
  bars, deadline phrases and unit names start cells (cues are data: cues.yaml, headings.yaml);
* a row starts at a top-aligned ordinal ("13", "5 | Số dự án ..."), or at a capitalised text
  line after the previous row already showed its cells, or — for an ordinal printed in the
  middle of its row — at the capitalised line nearest above it;
* section rows: roman numerals, "Thứ nhất: ...", numbered group rows of lettered items, and
  un-numbered "Về ..." rows;
* unit fragments are split into lead and cooperating columns by blank-line blocks (text
  layers) or by horizontal position in the line (interleaved OCR).
Rows that cannot be interpreted become warnings, never silently dropped. A line is split
into its text and cell fragments by extract.flat_lines; rows, once read, are tidied by
extract.flat_rows.
"""
from __future__ import annotations

import re
from typing import Optional

from ..schema import Provenance

from .raw_items import RawItem
from ..core.folding import fold
from .rules import Rules
from .rules.layout import LayoutRules
from .sections import Line, Region, lines_to_bbox
from .flat_lines import (Cell, is_header_line, is_row_start, split_line, starts_sentence,
                         strip_noise, whole_line_cell)
from .flat_rows import (Row, date_span_in_text, ordinal_value, rows_between_consecutive_numerals, drop_rows_before_numbering, merge_fragment_rows, misread_numeral,
                        short_rows_to_notes,
                        repeated_numeral_groups, row_ended, split_centred_row)
from .flat_cells import (header_lines_to_unit_columns, one_year_deadline, row_to_cells,
                         take_line_end_lead, trailing_dates_to_deadline)

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


def expected_letter_ordinal(text: str, expected: str, specks: dict[str, str]) -> Optional[tuple[str, str]]:
    """Given a line's text and the letters the row sequence expects next ("b", or "dđ"),
    return (letter, rest) when the line opens with a short lower-case token that begins with
    one of them and a capitalised word follows ("bố Thí điểm ..." -> "b"), else None."""
    parts = text.split(maxsplit=1)
    if len(parts) < 2 or not parts[1][:1].isupper():
        return None
    tok = parts[0].strip(specks["line_lead"])
    if not tok or len(tok) > 3 or not tok[:1].islower():
        return None
    for letter in expected:
        if fold(tok[:1]) == fold(letter) and (tok[:1] == letter or letter != "đ"):
            return letter, parts[1]
    return None


def _is_section_text(t: str, rules: LayoutRules) -> bool:
    return any(t.startswith(s) for s in rules.section_row_starts) and len(t) < 90


def flat_region_to_raw_items(region: Region, kind: str, rules: Rules) -> tuple[list[RawItem], list[str]]:
    """Given an appendix region without ruling (interleaved or block text), return its rows as
    RawItems (cells raw) and warnings about what could not be interpreted."""
    bundle, rules = rules, rules.layout
    letters = "".join(bundle.tables.letters)  # the order lettered rows count in (no "f")
    rx = rules.flat
    warnings: list[str] = []
    lines = region.lines
    # the first header line starts the table; title lines above it are skipped. A header OCR
    # garbled may be found only where it repeats on the next page: rows shaped as rows (an
    # ordinal before a sentence) above it start the table earlier
    start = next((i for i, ln in enumerate(lines) if is_header_line(ln.text, bundle)), None)
    first_row = next((i for i, ln in enumerate(lines) if is_row_start(ln.text, rules)), None)
    if start is None or (first_row is not None and first_row < start):
        start = next((i for i, ln in enumerate(lines) if not rx["title"].match(ln.text)), len(lines))
    for ln in lines[:start]:
        if not rx["title"].match(ln.text) and len(re.sub(r"[^\w]", "", ln.text)) >= 2:
            warnings.append(f"{region.name}: line above the table's header skipped: {ln.text[:80]!r}")
    years = []
    for ln in lines[start:start + 8]:
        years += [int(y) for y in rx["year"].findall(ln.text) if is_header_line(ln.text, bundle) or
                  re.fullmatch(r"[\d\s|]+", ln.text)]
    years = sorted(set(years))
    header_lines = [ln.text for ln in lines if is_header_line(ln.text, bundle)]
    header_text = fold(" ".join(header_lines))
    year_deadline = one_year_deadline(header_lines, years, kind, bundle.tables)
    unit_columns = header_lines_to_unit_columns(header_lines, bundle.tables,
                                                [ln.text for ln in lines[max(0, start - 3):start]])
    # task tables always may have one (their header is often garbled by OCR: "h-ggglt%?r?h")
    has_deadline = kind == "task" or not header_text or any(
        fold(w) in header_text for w in rules.deadline_header_words)
    body = []
    page_top: set[int] = set()
    dropped = 0
    after_header = False
    title_open = False
    for ln in lines[start:]:
        if rx["end"].match(fold(ln.text)):
            break
        cleaned = strip_noise(ln.text, kind)
        if len(re.sub(r"[^\w]", "", cleaned)) < 2:
            dropped += 1
            continue
        if cleaned != ln.text:
            ln = Line(page=ln.page, line=ln.line, text=cleaned, kind=ln.kind, ord=ln.ord,
                      body=ln.body, gap=ln.gap, height=ln.height, bbox=ln.bbox)
        tail = (title_open and ")" in ln.text
                and len(ln.text[:ln.text.index(")")].split()) <= rules.flat_title_tail_words)
        title_open = False
        if not body and tail:  # "(Kèm theo ... tỉnh" / "Tuyên Quang)": the subtitle's short tail
            warnings.append(f"{region.name}: title line above the table's rows skipped: {ln.text[:80]!r}")
            continue
        if not body and rx["title"].match(ln.text):
            title_open = "(" in ln.text and ")" not in ln.text[ln.text.index("("):]  # one line on
            # "(Kèm theo ...)" under a title line that used column titles' words ("LỘ TRÌNH
            # THỰC HIỆN NHIỆM VỤ", read as the header): still above the table
            warnings.append(f"{region.name}: title line above the table's rows skipped: {ln.text[:80]!r}")
            continue
        if is_header_line(ln.text, bundle) or (re.fullmatch(r"[\d\s|]+", ln.text) and rx["year"].search(ln.text)):
            if body and body[-1].page == ln.page and not after_header:
                # a header repeats at a page's top; in mid-page the line may be a row's
                warnings.append(f"{region.name}: line under the table's rows read as a column "
                                f"header, skipped: {ln.text[:80]!r}")
            after_header = True
            continue
        if after_header and len(cleaned) <= 20 and (cleaned[:1].islower() or cleaned[:1] in ":;"):
            after_header = False  # the header's wrapped second line ("trì hợp"), or the end of
            # a row carried over a page break under its repeated header: kept as a warning
            warnings.append(f"{region.name}: short line under a column header skipped as the "
                            f"header's wrapped line: {ln.text[:80]!r}")
            continue
        if after_header:
            page_top.add(len(body))  # first line under a repeated header (page break)
        after_header = False
        body.append(ln)
    if dropped:
        warnings.append(f"{region.name}: {dropped} lines of OCR debris skipped")
    # a lettered list shows two letters at least ("a", "b"): "a" alone is OCR's usual debris
    letters_used = len({m.group(1) for ln in body for m in [re.match(r"^([a-eđ])\s*[|\s]\s*\S", ln.text)] if m}) >= 2

    rows: list[Row] = []
    section: Optional[str] = None
    section_open = False
    cur: Optional[Row] = None
    expected: Optional[tuple[str, int]] = None
    block = 0
    after_cell = False

    def new_row(ordinal: Optional[str]) -> Row:
        nonlocal cur
        cur = Row(ordinal=ordinal, section=section)
        rows.append(cur)
        return cur

    continuing = False  # a row carried over a page break: capitals do not open rows
    for li, ln in enumerate(body):
        if ln.gap:
            block += 1
        if li in page_top:
            continuing = ln.text[:1].islower() and cur is not None
        elif ln.gap:
            continuing = False  # a blank line closes the carried-over cell paragraph
        t = ln.text
        # section rows ("‘I | Bảo đảm ...": specks from the margin before the numeral)
        lead_t = t.lstrip(bundle.specks["line_lead"])
        if lead_t != t and rx["roman_row"].match(lead_t):
            t = lead_t
        m = rx["roman_only"].match(t)
        if m and m.group("ord") in ROMAN:
            section, section_open, cur, continuing = "", True, None, False
            continue
        m = rx["roman_row"].match(t) if not t[:1].isdigit() else None
        if m and m.group("ord") in ROMAN:
            section, section_open, cur, continuing = m.group("text").strip(" |."), True, None, False
            continue
        if ln.kind == "ordinal_word":
            section, section_open, cur, continuing = ln.body, True, None, False
            continue
        sl = split_line(ln, rules, bundle.cell_labels, kind, has_deadline, bool(years))
        if sl.group:  # a group column left of the text: its rows' section from here on
            section, section_open = sl.group.strip(" .,;:-"), False
            if cur is not None and cur.cells and row_ended(cur):
                cur = None  # the group's first row starts here
        if sl.dropped:
            warnings.append(f"{region.name}: a misread ordinal cell left out: {sl.dropped!r} of {t[:80]!r}")
        if not sl.ordinal and expected is not None and expected[0] == "let" and letters_used:
            guess = expected_letter_ordinal(sl.text, letters[expected[1] - 1:expected[1] + 1], bundle.specks)
            if guess:  # "bố Thí điểm ...": the row's letter OCR made into a word
                sl.ordinal, sl.text = guess
        if letters_used and sl.ordinal and sl.ordinal.isdigit() and len(sl.text.split()) >= 5 and not sl.cells:
            section, section_open, cur, continuing = sl.text, True, None, False  # "1 Rà soát, hoàn thiện ..." groups a), b)
            expected = None
            continue
        if section_open and not sl.ordinal and sl.text and not sl.cells:
            if section == "" or sl.text[:1].islower():
                section = (section + " " + sl.text).strip()
                continue
        if (not sl.ordinal and sl.text and not sl.cells and _is_section_text(sl.text, rules)
                and (cur is None or cur.cells)):
            section, section_open, cur, continuing = sl.text, True, None, False
            continue
        section_open = False
        role = whole_line_cell(ln, rules, after_cell, has_deadline) if not sl.ordinal else None
        if role and cur is not None:
            for piece in [p for p in rx["bar"].split(ln.text) if p.strip()]:
                cur.cells.append(Cell(piece.strip(), 0, len(cur.lines), role, whole=True))
                cur.blocks.append(block)
            cur.lines.append(ln)
            after_cell = True
            continue
        after_cell = bool(sl.cells)
        if (not sl.ordinal and sl.text and cur is not None and years
                and any(c.role == "value" for c in sl.cells)
                and sum(c.role == "value" for c in cur.cells) >= len(years)):
            # a row shows its values once, on its first line: a line bringing a second set
            # is the next row, whose ordinal OCR lost or misread ("> Số lớp ... 16 5 ...")
            guess = str(expected[1]) if expected is not None and expected[0] == "num" else None
            new_row(guess)
            if guess:
                expected = ("num", expected[1] + 1)
                cur.inferred = True
            continuing = False
        inferred = False
        numeric_next = expected is not None and expected[0] == "num" and expected[1] >= 2
        if sl.ordinal and numeric_next and not sl.ordinal.isdigit() and not letters_used and sl.text:
            if starts_sentence(sl.text, digits=False) or len(sl.text.split()) >= 6:
                sl.ordinal, inferred = str(expected[1]), True  # "a Tổng hợp ..." for row 7
            else:  # "a . tra hành chính": OCR's "a" debris before a cell's text, no numeral
                sl.text, sl.ordinal = (sl.ordinal + " " + sl.text), None
        elif (not sl.ordinal and numeric_next and sl.text and cur is not None and cur.cells
              and row_ended(cur)):
            guess = misread_numeral(sl.text, rules)
            if guess is not None:  # "l Tổ chức ...", "g__ | Kiểm tra ..."
                sl.ordinal, sl.text, inferred = str(expected[1]), guess, True
        if sl.ordinal and cur is not None and cur.inferred and sl.ordinal == cur.ordinal:
            cur.inferred = False  # the row opened by its values shows its numeral lower down
            sl.ordinal = None
        # ordinal anchors
        if sl.ordinal:
            continuing = False
            kind_v = ordinal_value(sl.ordinal, letters)
            ok = (expected is None or kind_v[0] != expected[0] or not sl.text
                  or expected[1] - 1 <= kind_v[1] <= expected[1] + 3 or kind_v[1] == 1)
            if ok and expected is not None and kind_v[0] == expected[0] and kind_v[1] > expected[1]:
                # a numeral ahead of the sequence ("7" where "4" is due) when the next numeral
                # below it is the due one: debris of another column, not a row ("7 Phê an lý ...")
                ahead = [o for o in (split_line(b, rules, bundle.cell_labels, kind, has_deadline, bool(years)).ordinal
                                     for b in body[li + 1:li + 1 + rules.flat_lookahead_lines]) if o]
                due = str(expected[1]) if expected[0] == "num" else letters[expected[1] - 1:expected[1]]
                if ahead and ahead[0] == due:
                    ok = False
            if ok:
                due, expected = expected, (kind_v[0], kind_v[1] + 1)
                row_text = sl.text.lstrip(bundle.specks["line_lead"] + "/")  # "4 /Số hồ sơ ..."
                first = row_text.split()[0] if row_text.split() else ""
                # a lone capital after the ordinal is OCR debris of a centred row ("7 A e A 1A")
                top = bool(row_text) and (starts_sentence(row_text, digits=False) or row_text[:1] in "(“\"") \
                    and not (len(first) == 1 and first.isalpha())
                if (due is not None and kind_v[0] == due[0] and kind_v[1] < due[1] and top and not sl.cells
                        and len(row_text.split()) <= rules.flat_group_row_words and not inferred):
                    # a short numbered line without cells whose numeral does not move the
                    # sequence on ("2 | Hoàn thiện thể chế, chính sách" after row 3): the groups
                    # are numbered apart from their rows
                    expected = due
                    section, section_open, cur, continuing = row_text.strip(" |.,;"), True, None, False
                    continue
                if inferred:
                    new_row(sl.ordinal)
                    cur.inferred = True
                elif cur is None:
                    new_row(sl.ordinal)
                elif sl.ordinal == cur.ordinal and sl.text and not top:
                    # the open row's numeral printed again, centred in its cell, beside the
                    # text's next line ("1. Cập nhật ..." then "~ 1 bộ, công chức ..."): the
                    # same row goes on
                    warnings.append(f"{region.name}: row {cur.ordinal}'s numeral printed again "
                                    f"inside it, read as one row: {t[:60]!r}")
                elif not sl.text:  # ordinal alone on its line (block layout): it opens a row
                    if cur.ordinal is None and not cur.cells:
                        cur.ordinal = sl.ordinal
                    else:
                        new_row(sl.ordinal)
                elif cur.ordinal is not None:
                    if top:
                        new_row(sl.ordinal)  # top-aligned ordinal
                    else:
                        split_centred_row(cur, rows, sl.ordinal, section)  # printed mid-row
                        cur = rows[-1]
                elif len(cur.lines) > 3 and cur.cells and row_ended(cur) and top:
                    new_row(sl.ordinal)
                elif top and not cur.cells and 0 < len(" ".join(cur.text_lines).split()) <= 6 and len(rows) > 1:
                    new_row(sl.ordinal)  # the open row is a short paragraph of another column
                elif (top and row_text[:1].isupper() and due is not None and kind_v == (due[0], due[1] + 1)
                      and cur.text_lines
                      and starts_sentence(cur.text_lines[0], digits=False)
                      and len(" ".join(cur.text_lines).split()) >= 4):
                    # the open row opened its own sentence and the numeral due for it was
                    # skipped: it lost its numeral ("; Tổng hợp ..." then "5 Rà soát ...")
                    cur.ordinal = str(due[1]) if due[0] == "num" else letters[due[1] - 1]
                    cur.inferred = True
                    new_row(sl.ordinal)
                else:
                    cur.ordinal = sl.ordinal  # centred ordinal of the row already open
            else:
                sl.text = (sl.ordinal + " " + sl.text).strip()
                if cur is None:
                    new_row(None)
        elif (sl.text and starts_sentence(sl.text.lstrip(bundle.specks["line_lead"]))
              and cur is not None and cur.cells and row_ended(cur) and not continuing):
            sl.text = sl.text.lstrip(bundle.specks["line_lead"])  # "; Tổng hợp ...": specks
            new_row(None)
        elif cur is None and sl.text:
            new_row(None)
        if cur is None:
            warnings.append(f"{region.name}: table line outside any row: {t[:80]!r}")
            continue
        if sl.text:
            cur.text_lines.append(sl.text)
        for c in sl.cells:
            c.line_idx = len(cur.lines)
            cur.cells.append(c)
            cur.blocks.append(block)
        cur.lines.append(ln)

    rows = merge_fragment_rows(rows, warnings, region.name)
    rows = drop_rows_before_numbering(rows, warnings, region.name)
    rows = repeated_numeral_groups(rows, warnings, region.name)
    rows = rows_between_consecutive_numerals(rows, warnings, region.name, letters)
    rows = short_rows_to_notes(rows, warnings, region.name)
    from .tables import is_non_item_row

    items = []
    registry = bundle.units
    for r in rows:
        took = take_line_end_lead(r, unit_columns, rules, registry, bundle.tables.flat_line_end_unit_words)
        dated = trailing_dates_to_deadline(r, bundle.tables)
        text = " ".join(" ".join(r.text_lines).split())
        if text and r.ordinal is None and is_non_item_row(text, bundle.tables):
            # a total or a note under the rows ("Tổng cộng: 5.300 triệu đồng", "Ghi chú: ...")
            warnings.append(f"{region.name}: row that is no item kept as a warning: {text[:80]!r}")
            continue
        letters = [ch for ch in text if ch.isalpha()]
        if len(letters) >= rules.flat_caps_title_letters and \
                sum(ch.isupper() for ch in letters) >= rules.flat_caps_title_share * len(letters):
            # a title in capitals ("HỆ THỐNG CHỈ TIÊU GIAI ĐOẠN 2026 - 2030") on a page the
            # table runs on to, whatever numeral OCR read beside it: no item
            warnings.append(f"{region.name}: row in capitals read as a title, kept as a warning: {text[:80]!r}")
            continue
        if not text:
            warnings.append(f"{region.name}: row {r.ordinal or '?'} has no text; cells: "
                            f"{[c.text for c in r.cells][:6]}")
            continue
        it = RawItem(kind=kind, text=text, ordinal=r.ordinal, section=r.section or None,
                     appendix=region.name, layout="flat-text",
                     provenance=Provenance(page=r.lines[0].page, line_start=r.lines[0].line,
                                           line_end=r.lines[-1].line, bbox=lines_to_bbox(r.lines),
                                           source="\n".join(ln.text for ln in r.lines)))
        it.cells.update(row_to_cells(r, years, unit_columns, rules, bundle.cell_labels))
        if year_deadline and not it.cells.get("deadline"):
            it.cells["deadline"] = year_deadline
            it.warnings.append(f"deadline taken from the one year the table's header prints: {year_deadline!r}")
        if r.notes:
            it.cells["notes"] = " ".join(([it.cells["notes"]] if "notes" in it.cells else []) + r.notes)
        if it.cells.get("deadline") and not re.search(r"20\d\d", it.cells["deadline"]):
            # "Quý IV năm" / "Trong năm" / "Trước ngày": the rest wrapped into the text column
            span = date_span_in_text(it.text, years=not re.search(r"\d{1,2}/", it.cells["deadline"]))
            if span:
                it.cells["deadline"] += " " + it.text[span[0]:span[1]]
                it.text = " ".join((it.text[:span[0]] + " " + it.text[span[1]:]).split())
        if dated:
            it.warnings.append(f"deadline {dated!r} read at the end of a unit cell")
        if took:
            it.warnings.append(f"lead unit read at the end of a line (the lead column is "
                               f"the table's last): {took!r}")
        if r.ordinal is None:
            it.warnings.append("row boundary guessed: no ordinal printed")
        elif r.inferred:
            it.warnings.append(f"ordinal {r.ordinal} inferred from the row sequence: none legible")
        items.append(it)
    return items, warnings


