"""Draw one plan of a catalogue family from a seed: its printed layout and its gold records.

``draw_plan(family, seed, plan_id)`` -> ``DrawnPlan``: header block (issuer, number, place/date,
title), body paragraphs, signer block, one or more appendices (headers, rows of cells, group
rows, total/column-number rows, a note under the table), and ``records``: the gold records in
the corpus format (/work/shared/corpus/RECORDS-FORMAT.md). The same (family, seed) always gives
the same plan. Every text is composed from words.yaml; layout choices come from the family.
"""
from __future__ import annotations

import calendar
import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from .catalogue import Appendix, Family, UnitName, Words, load_words

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
# Vietnamese letter sequence: Đ follows D (issue 12, class 3)
LETTERS_UPPER = ["A", "B", "C", "D", "Đ", "E", "G", "H", "I", "K", "L", "M", "N"]
LETTERS_LOWER = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n"]
THU = ["Thứ nhất", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Thứ tám"]


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@dataclass
class Row:
    """One printed row: an item (cells by column), a group row, a total row or the
    column-number row."""

    kind: str  # "item" | "group" | "total" | "colnums"
    cells: list[str] = field(default_factory=list)
    label: str = ""  # group numeral ("I", "A", "1") when printed in its own cell
    text: str = ""  # group title / total text


@dataclass
class DrawnAppendix:
    spec: Appendix
    name: str  # "Phụ lục I" (as the records name it)
    heading: list[str]  # printed title lines
    subheading: str
    headers: list[str]
    rows: list[Row]
    list_blocks: list[tuple[str, list[str]]] = field(default_factory=list)  # list layout
    note_after: str = ""


@dataclass
class DrawnPlan:
    plan_id: str
    family: str
    seed: int
    header_left: list[str]
    header_right: list[str]
    number_line: str
    dateline: str
    doc_type: str
    title: str
    paragraphs: list[str]
    recipients: list[str]
    signature: list[str]  # lines of the signer block, blank lines for the signature space
    appendices: list[DrawnAppendix]
    records: dict


def _date_iso(d: dt.date) -> str:
    return d.isoformat()


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _quarter_bounds(y: int, q: int) -> tuple[dt.date, dt.date]:
    return dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q)


class _Drawer:
    """Holds the random source, the words and the plan's context while one plan is drawn."""

    def __init__(self, family: Family, seed: int, plan_id: str, words: Words):
        self.f, self.seed, self.plan_id, self.w = family, seed, plan_id, words
        self.rng = random.Random(seed)
        self.used_texts: set[str] = set()

    # --- small helpers -------------------------------------------------------------------
    def pick(self, seq):
        return self.rng.choice(list(seq))

    def sample(self, seq, k):
        seq = list(seq)
        return self.rng.sample(seq, min(k, len(seq)))

    # --- header ---------------------------------------------------------------------------
    def draw_header(self) -> None:
        w, rng = self.w, self.rng
        self.province = self.pick(w.provinces)
        level = self.f.issuer
        self.year = rng.choice([2026, 2026, 2027])
        issued = dt.date(self.year - 1, rng.randint(7, 12), rng.randint(1, 28))
        self.issued = issued
        n = rng.randint(12, 480)
        right = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
        if level in ("commune", "ward"):
            place = self.pick(w.communes if level == "commune" else w.wards)
            word = "xã" if level == "commune" else "phường"
            self.issuer = f"Ủy ban nhân dân {word} {place}"
            left = ["ỦY BAN NHÂN DÂN", f"{word.upper()} {place.upper()}"]
            number = f"{n}/KH-UBND"
            signer = self.pick([("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")])
        elif level == "province":
            place = self.province
            self.issuer = f"Ủy ban nhân dân tỉnh {place}"
            left = ["ỦY BAN NHÂN DÂN", f"TỈNH {place.upper()}"]
            number = f"{n * 10 + rng.randint(0, 9)}/KH-UBND"
            signer = self.pick([("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")])
        elif level == "province_dept":
            place = self.province
            dep = self.pick(w.departments)
            self.issuer = f"{dep.name} tỉnh {place}"
            left = [f"UBND TỈNH {place.upper()}", dep.caps]
            number = f"{n * 10 + rng.randint(0, 9)}/KH-{dep.short}"
            signer = self.pick([("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), ("GIÁM ĐỐC", "")])
        else:  # party
            place = self.pick(w.communes)
            self.issuer = f"Ban Thường vụ Đảng ủy xã {place}"
            left = [f"ĐẢNG BỘ TỈNH {self.province.upper()}", f"ĐẢNG ỦY XÃ {place.upper()}", "*"]
            right = ["ĐẢNG CỘNG SẢN VIỆT NAM"]
            number = f"{n}-KH/ĐU"
            signer = ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")
        self.place = place
        self.level = level
        self.header_left, self.header_right = left, right
        self.number = number
        self.number_line = f"Số: {number}" if level != "party" else f"Số {number}"
        self.dateline = f"{place}, ngày {issued.day:02d} tháng {issued.month} năm {issued.year}"
        topic = self.pick(w.topics)
        self.domain = topic.domain
        self.title = nfc(topic.title.format(year=self.year, year2=self.year + 4))
        self.signer_name = self.pick(w.people)
        self.signer_title = f"{signer[0]} - {signer[1]}" if signer[1] else signer[0]
        self.signature = [signer[0]] + ([signer[1]] if signer[1] else []) + ["", "", "", self.signer_name]
        self.ref_number = f"{rng.randint(100, 900)}/KH-UBND"
        self.ref_date = dt.date(issued.year, max(1, issued.month - 1), rng.randint(1, 28))

    # --- units ----------------------------------------------------------------------------
    def unit_pool(self) -> list[UnitName]:
        return self.w.units[self.level]

    def printed(self, u: UnitName, app: Appendix) -> str:
        return u.short if app.abbreviate_units and u.short else u.name

    # --- texts ----------------------------------------------------------------------------
    def task_text(self, long: bool) -> str:
        w = self.w
        for _ in range(50):
            obj = self.pick(w.objects[self.domain] + w.objects["common"])
            text = f"{self.pick(w.verbs)} {obj} {self.pick(w.scopes)}"
            if long:
                extra = self.sample(w.clauses, self.rng.randint(2, 4))
                text = text + ": " + "; ".join(extra)
            if text not in self.used_texts:
                self.used_texts.add(text)
                return nfc(text)
        return nfc(text)

    # --- deadlines ------------------------------------------------------------------------
    def deadline(self, style: str) -> tuple[str, dict]:
        """Given a phrasing style, return (printed cell, gold deadline)."""
        rng, y = self.rng, self.year
        m = rng.randint(1, 12)
        q = rng.randint(1, 4)
        if style == "month":
            raw = rng.choice([f"Tháng {m}/{y}", f"Trong tháng {m}/{y}", f"Tháng {m} năm {y}"])
            return raw, self._dl(raw, "month", dt.date(y, m, 1), _month_end(y, m))
        if style == "month_bare":
            raw = rng.choice([f"{m:02d}/{y}", f"{m}/{y}"])
            return raw, self._dl(raw, "month", dt.date(y, m, 1), _month_end(y, m))
        if style == "quarter":
            raw = rng.choice([f"Quý {ROMAN[q - 1]}/{y}", f"Quý {ROMAN[q - 1]} năm {y}",
                              f"Trong quý {ROMAN[q - 1]}/{y}"])
            return raw, self._dl(raw, "quarter", *_quarter_bounds(y, q))
        if style == "year":
            raw = rng.choice([f"Năm {y}", f"Trong năm {y}"])
            return raw, self._dl(raw, "year", dt.date(y, 1, 1), dt.date(y, 12, 31))
        if style == "year_bare":
            return str(y), self._dl(str(y), "year", dt.date(y, 1, 1), dt.date(y, 12, 31))
        if style == "year_range":
            y2 = y + rng.randint(1, 4)
            raw = rng.choice([f"Năm {y}-{y2}", f"{y} - {y2}", f"Giai đoạn {y} - {y2}"])
            return raw, self._dl(raw, "year", dt.date(y, 1, 1), dt.date(y2, 12, 31))
        if style in ("date", "date_short"):
            d = dt.date(y, m, rng.randint(1, 28))
            raw = rng.choice([f"Trước ngày {d.day}/{d.month}/{y}", f"{d.day:02d}/{d.month:02d}/{y}",
                              f"Hoàn thành trước ngày {d.day}/{d.month}/{y}"])
            return raw, self._dl(raw, "date", d, d)
        if style == "recurring":
            raw = rng.choice(["Thường xuyên", "Hằng năm", "Hằng quý", "Thực hiện thường xuyên"])
            return raw, {"raw": raw, "kind": "recurring", "start": None, "end": None}
        if style == "conditional":
            raw = rng.choice(["Khi có yêu cầu", "Theo hướng dẫn của cấp trên", "Khi có chỉ đạo"])
            return raw, {"raw": raw, "kind": "conditional", "start": None, "end": None}
        if style == "milestones":
            q1 = rng.randint(1, 4)
            q2 = rng.randint(1, 4)
            y3 = y + rng.randint(2, 4)
            parts = [f"Khởi động quý {ROMAN[q1 - 1]}/{y}",
                     f"hoàn thành {self.pick(['báo cáo', 'hệ thống', 'danh mục', 'đề án'])} quý {ROMAN[q2 - 1]}/{y + 1}",
                     f"duy trì đến năm {y3}"]
            raw = "; ".join(parts[: rng.choice([2, 3])]) + "."
            start = _quarter_bounds(y, q1)[0]
            end = dt.date(y3, 12, 31) if raw.count(";") == 2 else _quarter_bounds(y + 1, q2)[1]
            return raw, self._dl(raw.rstrip("."), "multiple", start, end)
        if style == "status":
            s = self.pick(self.w.statuses)
            qs = ROMAN[q - 1]
            phrase = rng.choice([f"hoàn thành quý {qs}/{y}", f"dự kiến hoàn thành quý {qs}/{y}",
                                 f"theo tiến độ hoàn thành quý {qs}/{y}"])
            return f"{s}; {phrase}", self._dl(phrase, "quarter", *_quarter_bounds(y, q))
        raise ValueError(f"unknown deadline style {style!r}")

    def _start_before(self, deadline: Optional[dict]) -> str:
        """The start cell printed before a task's end cell: a month some months earlier."""
        end = dt.date.fromisoformat(deadline["end"]) if deadline and deadline.get("end") else \
            dt.date(self.year, 12, 31)
        back = self.rng.randint(1, 5)
        m = (end.month - 1 - back) % 12 + 1
        y = end.year - (1 if end.month - back < 1 else 0)
        return self.pick([f"{m:02d}/{y}", f"Tháng {m}/{y}"])

    @staticmethod
    def _dl(raw: str, kind: str, start: dt.date, end: dt.date) -> dict:
        return {"raw": raw, "kind": kind, "start": _date_iso(start), "end": _date_iso(end)}

    # --- values ---------------------------------------------------------------------------
    def value(self, style: str, year: int, unit: Optional[str], measure_column: bool) -> tuple[str, dict]:
        """Given a value style, its year and the subject's unit, return (printed cell, gold
        value); ``measure_column``: the table prints the unit in its own column."""
        rng = self.rng
        if style in ("percent", "percent_ge"):
            v = rng.choice([100, 100, 95, 90, 85, 80, 70, 60, 50])
            if style == "percent":
                raw, comp = (f"{v}" if measure_column else f"{v}%"), "="
            else:
                prefix = rng.choice(["≥ ", "≥", "Tối thiểu ", "Ít nhất "])
                raw, comp = f"{prefix}{v}" + ("" if measure_column else "%"), ">="
            return raw, {"year": year, "raw": raw, "value": v, "unit": "%", "comparator": comp}
        if style in ("count", "count_unit"):
            # the unit is the subject's ("lớp", "hồ sơ/năm"): printed in the cell unless the
            # table has a unit-of-measure column
            v = rng.choice([2, 3, 5, 10, 12, 20, 30, 50, 120, 500])
            raw = str(v) if measure_column else f"{v} {unit}"
            return raw, {"year": year, "raw": raw, "value": v, "unit": unit, "comparator": "="}
        raw = rng.choice(["Hoàn thành", "Đạt"])
        return raw, {"year": year, "raw": raw, "value": None, "unit": None, "comparator": "="}

    def target_subject(self, style: str) -> tuple[str, Optional[str]]:
        """Given a value style, return (target text, its unit of measure)."""
        ts = self.w.target_subjects
        for _ in range(50):
            if style in ("percent", "percent_ge"):
                text, unit = self.pick(ts.percent), "%"
            elif style in ("count", "count_unit"):
                c = self.pick(ts.count)
                text, unit = c.text, c.unit
            else:
                text, unit = self.pick(ts.text), None
            qual = self.pick(["", " trên địa bàn", f" của {self.place}", " toàn ngành", " ở cấp cơ sở"])
            full = nfc(text + qual)
            if full not in self.used_texts:
                self.used_texts.add(full)
                return full, unit
        return full, unit

    # --- appendices -----------------------------------------------------------------------
    def group_label(self, app: Appendix, k: int) -> str:
        return {"roman": ROMAN[k], "letter": LETTERS_UPPER[k], "arabic": str(k + 1),
                "nhom": f"Nhóm {k + 1}", "nhom_roman": f"Nhóm {ROMAN[k]}", "thu": THU[k], "plain": "", "none": "", "column": ""}[app.groups]

    def ordinal(self, app: Appendix, n_in_group: int, n_total: int) -> str:
        n = n_in_group if app.ordinal_restart else n_total
        return LETTERS_LOWER[n] if app.ordinal_style == "letter" else str(n + 1)

    def draw_appendix(self, app: Appendix, index: int, total_apps: int) -> tuple[DrawnAppendix, list[dict]]:
        rng = self.rng
        numeral = (ROMAN[index] if app.numbering == "roman" else str(index + 1)) if total_apps > 1 else ""
        name = f"Phụ lục {numeral}".strip() if numeral else "Phụ lục"
        title = self.pick(app.title).format(year=self.year)
        sub = f"(Kèm theo Kế hoạch số {self.number} ngày {self.issued.day:02d}/{self.issued.month:02d}/{self.issued.year} của {self.issuer})"
        heading = [f"{name.upper()}. {title}"] if app.title_style == "joined" else [name.upper(), title]
        years = self.pick(app.years) if app.years else []
        headers: list[str] = []
        for c in app.columns:
            if c.role == "value_year":
                h = self.pick(c.headers)
                headers += [h.format(y=y) for y in years]
                if c.last_headers and len(years) > 2:
                    headers[-1] = self.pick(c.last_headers).format(y=years[-1])
            else:
                headers.append(self.pick(c.headers).format(year=self.year))
        n_items = rng.randint(*app.rows)
        n_groups = 0 if app.groups == "none" else min(max(2, n_items // 4), 5)
        # split items into groups (each at least one item)
        cuts = sorted(self.sample(range(1, n_items), n_groups - 1)) if n_groups > 1 else []
        bounds = list(zip([0] + cuts, cuts + [n_items]))
        if not bounds:
            bounds = [(0, n_items)]
        group_titles = self.sample(self.w.group_titles, len(bounds))
        joiner = self.pick(app.unit_joiners)
        label_sep = self.pick(app.units_label_sep)
        labels = self.pick(app.units_labels)
        pool = self.unit_pool()
        rows: list[Row] = []
        blocks: list[tuple[str, list[str]]] = []
        items: list[dict] = []
        if app.column_numbers:
            rows.append(Row("colnums", [f"({i + 1})" for i in range(len(headers))]))
        k_total = 0
        for g, (a, b) in enumerate(bounds):
            section = None
            if app.groups != "none":
                gtitle = group_titles[g % len(group_titles)]
                gtext = gtitle.upper() if app.group_caps else gtitle
                label = self.group_label(app, g)
                section = gtext
                if app.layout == "list":
                    blocks.append(("group", [f"{label}. {gtext}" if label else gtext]))
                elif app.groups == "column":
                    pass  # printed in the group column of the group's first item row
                elif app.group_cell == "numeral" and label:
                    rows.append(Row("group", label=label, text=gtext))
                else:
                    sep = ": " if app.groups in ("nhom", "nhom_roman", "thu") else ". "
                    rows.append(Row("group", text=f"{label}{sep}{gtext}" if label else gtext))
            for n in range(b - a):
                ordinal = self.ordinal(app, n, k_total) if app.ordinal != "none" else None
                k_total += 1
                item, cells, lines = self.draw_item(app, years, pool, joiner, label_sep, labels, ordinal,
                                                    section if n == 0 else "")
                item.update({"ordinal": ordinal, "section": section, "appendix": name})
                items.append(item)
                if app.layout == "list":
                    blocks.append(("item", lines))
                else:
                    rows.append(Row("item", cells))
        note = ""
        if app.total_row:
            amount = rng.randint(3, 90) * 100
            rows.append(Row("total", text=self.pick([
                f"Tổng kinh phí dự kiến: {amount:,} triệu đồng".replace(",", "."),
                f"Tổng cộng: {amount:,} triệu đồng".replace(",", ".")])))
        if app.note_after:
            note = self.pick([
                "Ghi chú: Kinh phí nêu tại Phụ lục là dự kiến, được xác định theo dự toán hằng năm.",
                "Ghi chú: Cơ quan chủ trì cụ thể hóa tiến độ theo tháng trong kế hoạch chi tiết của đơn vị.",
            ])
        drawn = DrawnAppendix(app, name, heading, sub, headers, rows, blocks, note)
        return drawn, items

    def draw_item(self, app: Appendix, years: list[int], pool: list[UnitName], joiner: str,
                  label_sep: str, labels: tuple[str, str], ordinal: Optional[str], group_cell: str = ""):
        """Return (gold item without ordinal/section/appendix, table cells, list lines)."""
        rng = self.rng
        lead = self.sample(pool, 1)
        coop = [u for u in self.sample(pool, rng.randint(0, 3)) if u.name != lead[0].name]
        item: dict = {"deadline": None, "lead_units": [u.name for u in lead],
                      "cooperating_units": [u.name for u in coop], "notes": None}
        roles = {c.role for c in app.columns}
        if "coop" not in roles and "units" not in roles and app.layout == "table":
            coop, item["cooperating_units"] = [], []
        if "lead" not in roles and "units" not in roles and app.layout == "table":
            item["lead_units"] = []
        value_style = self.pick(app.values) if app.values else None
        measure = None
        if app.items == "targets":
            text, measure = self.target_subject(value_style)
        else:
            text = self.task_text(app.long_text)
        item["text"] = text
        dl_style = self.pick(app.deadlines) if app.deadlines else None
        dl_cell, dl = self.deadline(dl_style) if dl_style else ("", None)
        if dl is not None and ("deadline" in roles or "status" in roles or app.layout == "list"):
            item["deadline"] = dl
        values: list[dict] = []
        cells: list[str] = []
        p_lead = joiner.join(self.printed(u, app) for u in lead)
        p_coop = joiner.join(self.printed(u, app) for u in coop)
        for c in app.columns:
            r = c.role
            if r == "ordinal":
                cells.append(ordinal or "")
            elif r == "text":
                cells.append(f"{ordinal}. {text}" if app.ordinal == "in_text" and ordinal else text)
            elif r == "lead":
                cells.append(p_lead)
            elif r == "coop":
                cells.append(p_coop)
            elif r == "units":
                cell = f"{labels[0]}: {p_lead}"
                if coop:
                    end = "." if label_sep == "\n" else ""
                    cell += f"{end}{label_sep}{labels[1]}: {p_coop}{end}"
                cells.append(cell)
            elif r == "deadline":
                cells.append(dl_cell)
            elif r == "status":
                cells.append(dl_cell)
            elif r == "value":
                if app.value_deadline == "header_year":
                    year = self.year
                    item["deadline"] = self._dl(f"Năm {year}", "year", dt.date(year, 1, 1), dt.date(year, 12, 31))
                elif item["deadline"] and item["deadline"].get("end"):
                    year = int(item["deadline"]["end"][:4])
                else:
                    year = self.year
                raw, v = self.value(value_style, year, measure, "measure" in roles)
                values.append(v)
                cells.append(raw)
            elif r == "value_year":
                for y in years:
                    raw, v = self.value(value_style, y, measure, False)
                    values.append(v)
                    cells.append(raw)
            elif r == "measure":
                cells.append(measure or "") if app.items == "targets" else cells.append(self.pick(self.w.measures))
            elif r == "product":
                cells.append(self.pick(self.w.products))
            elif r == "notes":
                note = self.pick(self.w.notes)
                item["notes"] = note
                cells.append(note)
            elif r == "method":
                cells.append(self.pick(self.w.methods))
            elif r == "resources":
                cells.append(self.pick(self.w.resources) if "Kinh phí" not in c.headers[0]
                             else str(rng.randint(1, 60) * 50))
            elif r == "place":
                cells.append(self.pick(self.w.places))
            elif r == "goal":
                cells.append(self.pick(self.w.goals))
            elif r == "group":
                cells.append(group_cell or "")
            elif r == "start":
                cells.append(self._start_before(item["deadline"]))
            elif r == "extra":
                cells.append(self.pick(getattr(self.w, c.fill)))
        if app.items == "targets":
            item["values"] = values
        lines: list[str] = []
        if app.layout == "list":
            lines.append(f"{ordinal}. {text}." if ordinal else text)
            for role, labs in app.list_labels.items():
                lab = self.pick(labs)
                val = {"lead": p_lead, "coop": p_coop, "deadline": dl_cell}[role]
                if val:
                    lines.append(f"- {lab}: {val}.")
            if not coop:
                item["cooperating_units"] = []
        return item, cells, lines

    # --- body -------------------------------------------------------------------------------
    def body(self, apps: list[DrawnAppendix]) -> list[str]:
        refs = ", ".join(a.name for a in apps)
        return [
            nfc(f"Căn cứ Kế hoạch số {self.ref_number} ngày {self.ref_date.day}/{self.ref_date.month}/{self.ref_date.year} "
                f"của Ủy ban nhân dân tỉnh {self.province}; {self.issuer} ban hành Kế hoạch {self.title[0].lower() + self.title[1:]} như sau:"),
            "I. MỤC ĐÍCH, YÊU CẦU",
            "1. Cụ thể hóa các nhiệm vụ được giao phù hợp với điều kiện thực tế; xác định rõ nội dung, "
            "thời hạn và trách nhiệm của từng cơ quan, đơn vị.",
            "2. Bảo đảm sự phối hợp chặt chẽ giữa các cơ quan, đơn vị trong quá trình thực hiện; "
            "kịp thời báo cáo khó khăn, vướng mắc.",
            "II. MỤC TIÊU VÀ NHIỆM VỤ",
            nfc(f"Các chỉ tiêu, nhiệm vụ cụ thể và phân công thực hiện tại {refs} kèm theo Kế hoạch này."),
            "III. TỔ CHỨC THỰC HIỆN",
            "Thủ trưởng các cơ quan, đơn vị căn cứ nhiệm vụ được phân công xây dựng kế hoạch chi tiết, "
            "tổ chức triển khai và định kỳ báo cáo kết quả về cơ quan thường trực để tổng hợp./.",
        ]


def draw_plan(family: Family, seed: int, plan_id: str, words: Optional[Words] = None) -> DrawnPlan:
    """Given a family, a seed and a plan id, return the drawn plan with its gold records."""
    d = _Drawer(family, seed, plan_id, words or load_words())
    d.draw_header()
    apps: list[DrawnAppendix] = []
    targets: list[dict] = []
    tasks: list[dict] = []
    for i, spec in enumerate(family.appendices):
        app, items = d.draw_appendix(spec, i, len(family.appendices))
        apps.append(app)
        (targets if spec.items == "targets" else tasks).extend(items)
    records = {
        "document": plan_id,
        "number": d.number,
        "doc_type": "Kế hoạch",
        "issuer": d.issuer,
        "place": d.place,
        "issued_date": d.issued.isoformat(),
        "title": d.title,
        "signer": {"name": d.signer_name, "title": d.signer_title},
        "references": [{"kind": "Kế hoạch", "number": d.ref_number, "date": d.ref_date.isoformat(),
                        "issuer": f"Ủy ban nhân dân tỉnh {d.province}"}],
        "targets": [_ordered(t, True) for t in targets],
        "tasks": [_ordered(t, False) for t in tasks],
    }
    recipients = ["- Như trên;", "- Lãnh đạo cơ quan;", "- Các cơ quan, đơn vị liên quan;", "- Lưu: VT."]
    return DrawnPlan(plan_id, family.id, seed, d.header_left, d.header_right, d.number_line, d.dateline,
                     "KẾ HOẠCH", d.title, d.body(apps), recipients, d.signature, apps, records)


def _ordered(item: dict, target: bool) -> dict:
    keys = ["ordinal", "section", "appendix", "text"] + (["values"] if target else []) + \
           ["deadline", "lead_units", "cooperating_units", "notes"]
    return {k: item.get(k) for k in keys}
