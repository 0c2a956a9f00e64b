"""Targets and tasks written as prose in the plan's body.

Targets: the enumerated/bulleted items under "Mục tiêu cụ thể" (and its sub-headings such as
"a) Mục tiêu năm 2025", whose period the items inherit). Tasks: the lettered/numbered items
under "Nhiệm vụ ..." / "Tổ chức thực hiện" / "Công tác báo cáo" headings, with following
bullets merged into them, plus stand-alone bullets that name a unit or a deadline
("Phòng Văn hóa - Xã hội phối hợp với Sở Khoa học và Công nghệ … (hoàn thành trong tháng
11/2025)"). Which headings mean what is data (``sections`` in headings.yaml).
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from ..schema import Provenance

from .raw_items import RawItem
from .rules import Rules
from .rules.layout import LayoutRules
if TYPE_CHECKING:
    from .units import UnitRegistry
from .sections import Line, Region, find_heading_deadline, find_prose_deadline, lines_to_bbox, section_role

HEADING_KINDS = ("roman", "ordinal_word", "decimal", "number", "letter")
ENUM_KINDS = ("decimal", "number", "letter", "paren_number")
TERMINAL = ".;,!?"


@dataclass
class Block:
    """A heading or an item: its first line and the text lines that continue it."""

    lines: list[Line] = field(default_factory=list)
    heading: bool = False

    @property
    def head(self) -> Line:
        return self.lines[0]

    @property
    def text(self) -> str:
        parts = [self.head.body] + [ln.text for ln in self.lines[1:]]
        return " ".join(" ".join(parts).split())


def kind_level(ln: Line) -> int:
    """Given a heading line, return its depth in the outline (1 = roman numerals)."""
    if ln.kind == "roman":
        return 1
    if ln.kind in ("number", "ordinal_word"):
        return 2
    if ln.kind == "decimal":
        return 1 + (ln.ord or "").count(".") + 1
    if ln.kind == "letter":
        return 5
    if ln.kind == "paren_number":
        return 6
    return 7


def _looks_like_heading(ln: Line, nxt: Optional[Line], typical_len: float, specks: dict[str, str]) -> bool:
    """A numbered line is a heading when it stands alone: short, no sentence punctuation,
    and the next line starts something new (numbered/bulleted or a capitalised line)."""
    if ln.kind not in HEADING_KINDS:
        return False
    if ln.kind in ("roman", "ordinal_word"):
        return True  # major sections; prose items are never numbered I, II, ... or "Thứ nhất"
    body = ln.body.strip()
    letters = [c for c in body if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return True  # "I. MỤC ĐÍCH"
    ends = body[-1:] if body else ""
    if len(ln.text) >= 0.8 * typical_len or (ends in TERMINAL and ends != ","):
        return False
    if nxt is None or nxt.kind != "text":
        return ends != ","
    # a comma OCR added ("a) Mục tiêu năm 2025,") is no sentence going on when a capitalised
    # line follows; specks before that line's first letter ("_Triển khai") are ignored
    return nxt.text.lstrip(specks["line_lead"])[:1].isupper()


def drop_footnotes(lines: list[Line], rules: LayoutRules) -> tuple[list[Line], list[str]]:
    """Given body lines, return them without page footnotes (a marker line such as
    "! Hiện nay tỉnh đã ..." and its continuation, all set in smaller type, i.e. markedly
    longer lines than the body's) and a warning per footnote removed."""
    if len(lines) < 10:
        return lines, []
    lens = [len(ln.text) for ln in lines if ln.kind == "text"]
    typical = statistics.median(lens if len(lens) >= 5 else [len(ln.text) for ln in lines])
    long_line = rules.footnote_length_ratio * typical
    heights = [ln.height for ln in lines if ln.height]
    body_height = statistics.median(heights) if len(heights) >= 10 else None

    def small(ln: Line) -> bool:
        # smaller type: by word heights where the page has words, else by line length
        if body_height and ln.height:
            return ln.height < 0.88 * body_height
        return len(ln.text) > long_line

    marker = rules.regex("footnote_marker")
    last_line = {}
    for ln in lines:
        last_line[ln.page] = max(last_line.get(ln.page, 0), ln.line)
    out, warnings, i = [], [], 0
    while i < len(lines):
        ln = lines[i]
        at_foot = (body_height is not None and last_line[ln.page] - ln.line <= 12
                   and ln.body[:1].isupper() and ln.text.split()[0] != ln.text.split()[-1])
        if ln.kind == "text" and marker.match(ln.text) and at_foot:
            # a marked note at the foot of a page: set aside to the end of that page
            j = i + 1
            while j < len(lines) and lines[j].page == ln.page:
                j += 1
            warnings.append(f"footnote set aside (page {ln.page}, line {ln.line}): {ln.text[:70]!r}")
            i = j
            continue
        if ln.kind == "text" and marker.match(ln.text) and small(ln):
            j = i + 1
            while j < len(lines) and lines[j].kind == "text" and small(lines[j]):
                j += 1
            warnings.append(f"footnote set aside (page {ln.page}, line {ln.line}): {ln.text[:70]!r}")
            i = j
            continue
        out.append(ln)
        i += 1
    return out, warnings


def is_group_label(b: Block, specks: dict[str, str]) -> bool:
    """Given a block, return whether it labels the bullets below it ("- Về số lượng:",
    "... bảo đảm:"): it ends in a colon, but not one OCR made of a speck after a finished
    sentence ("đặc thù). :")."""
    t = b.text.rstrip(specks["label_trail"])
    if not t.endswith(":"):
        return False
    body = t[:-1]
    if body.rstrip(specks["sentence_trail"]).endswith((")", ".")):
        return False
    # "... tại địa phương. - số :": a word or two of OCR debris after a finished sentence
    tail = body.rsplit(". ", 1)
    return not (len(tail) == 2 and len(tail[1].split()) <= 2)


def lines_to_blocks(lines: list[Line], specks: dict[str, str]) -> list[Block]:
    """Given body lines, return blocks: each classified line starts one and text lines
    continue it; a numbered line that stands alone (or a short title wrapped over a few
    lines and followed by enumerated items) is a heading block."""
    lens = [len(ln.text) for ln in lines if ln.kind == "text"] or [80]
    typical = statistics.median(lens) if len(lens) > 4 else 80.0
    typical = max(typical, 50.0)
    raw: list[list[Line]] = []
    for ln in lines:
        if ln.kind != "text" or not raw:
            raw.append([ln])
        else:
            raw[-1].append(ln)
    blocks: list[Block] = []
    for bi, group in enumerate(raw):
        head = group[0]
        nxt = group[1] if len(group) > 1 else (raw[bi + 1][0] if bi + 1 < len(raw) else None)
        if _looks_like_heading(head, nxt, typical, specks):
            blocks.append(Block([head], heading=True))
            if len(group) > 1:
                blocks.append(Block(group[1:]))
            continue
        b = Block(group)
        following = raw[bi + 1][0] if bi + 1 < len(raw) else None
        if (head.kind in HEADING_KINDS and len(group) <= 3 and b.text and b.text[-1] not in TERMINAL
                and len(b.text) < 2.5 * typical and following is not None
                and following.kind in ("letter", "number", "paren_number", "bullet", "decimal")
                and following.kind != head.kind):
            b.heading = True
        blocks.append(b)
    return blocks


def _provenance(block: Block | list[Line]) -> Provenance:
    lines = block.lines if isinstance(block, Block) else block
    return Provenance(page=lines[0].page, line_start=lines[0].line, line_end=lines[-1].line,
                      bbox=lines_to_bbox(lines), source="\n".join(ln.text for ln in lines))


def _find_first(text: str, cues: list[str], start: int = 0) -> int:
    low = text.casefold()
    pos = [low.find(c.casefold(), start) for c in cues]
    pos = [p for p in pos if p >= 0]
    return min(pos) if pos else -1


def subject_unit(text: str, rules: LayoutRules, registry: UnitRegistry) -> Optional[str]:
    """Given a task sentence, the layout rules and the unit registry, return the unit phrase
    it opens with ("Phòng Văn hoá - Xã hội" of "Phòng Văn hoá - Xã hội phối hợp với ..."),
    or None."""
    t = text.strip()
    for p in rules.prose_roles.lead_before_prefix:
        if t.casefold().startswith(p.casefold() + " "):
            t = t[len(p) + 1:].lstrip()
            break
    m = rules.unit_words.match(t, capital=False)
    if not m:
        return _registered_before(t, rules.prose_roles.lead_after, registry)
    end = _find_first(t, rules.prose_roles.lead_after, m.end())
    longer = _registered_name_end(t, end, registry)
    if longer is not None:
        return t[:longer].strip(" ,;:")
    if end < 0 or end > 120:
        return None
    return t[:end].strip(" ,;:")


SUBJECT_MAX_WORDS = 14  # the longest unit name a sentence opens with, in words


def _registered_name_end(text: str, cut: int, registry: UnitRegistry) -> Optional[int]:
    """Given a sentence opening with a unit and where the verb cues cut it, return the end of
    a registered unit name that runs past the cut ("Trung tâm Dịch vụ tổng hợp xã tổ chức
    ...": "tổng hợp" is a verb cue and a word of the name), else None."""
    spans, pos = [], 0
    for word in text.split()[:SUBJECT_MAX_WORDS]:
        pos = text.index(word, pos) + len(word)
        spans.append(pos)
    for end in reversed(spans):
        if end <= cut:
            return None
        if registry.is_exact_name(text[:end].rstrip(" ,;:")):
            return end
    return None


def cooperating_phrase(text: str, rules: LayoutRules, registry: UnitRegistry) -> Optional[str]:
    """Given a task sentence, the layout rules and the unit registry, return the unit list
    after "phối hợp với", or None."""
    low = text.casefold()
    for cue in rules.prose_roles.coop_cue:
        i = low.find(cue.casefold())
        if i < 0:
            continue
        start = i + len(cue)
        rest = text[start:].lstrip(" ,")
        if not rules.unit_words.match(rest, capital=False):
            found = _registered_before(rest, rules.prose_roles.coop_end, registry)
            if found:
                return found
            continue
        # a unit name has a word after its head ("Ban quản lý chợ ..." is not "Ban"): the end
        # cues count only after the second word
        end = _find_first(rest, rules.prose_roles.coop_end, _second_word_end(rest))
        span = rest if end < 0 else rest[:end]
        return _registered_then_verb(span, rules, registry).strip(" ,;:") or None
    return None


def _registered_before(text: str, cues: list[str], registry: UnitRegistry) -> Optional[str]:
    """Given text whose head word is not a unit head as printed ("Trầm Y tế xã" for "Trạm",
    a restoration slip), return the phrase before the first cue when the registry knows it
    (its keys fold diacritics away), else None."""
    end = _find_first(text, cues, _second_word_end(text))
    phrase = (text if end < 0 else text[:end]).strip(" ,;:")
    if not phrase or len(phrase.split()) > SUBJECT_MAX_WORDS:
        return None
    return phrase if registry.is_known(phrase) else None


def _registered_then_verb(span: str, rules: LayoutRules, registry: UnitRegistry) -> str:
    """Given a unit span the end cues left long ("Đoàn Thanh niên phường cấp tài khoản ..."),
    return it cut after the longest registered name it opens with when a lower-case word
    that joins no list follows ("cấp" is the verb, not part of the name), else unchanged."""
    cut = _registered_name_end(span, 0, registry)
    if cut is None:
        return span
    rest = span[cut:].lstrip()
    first = rest.split(" ", 1)[0] if rest else ""
    if first[:1].islower() and first.casefold() not in {w.casefold() for w in rules.prose_roles.name_goes_on}:
        return span[:cut]
    return span


def _second_word_end(text: str) -> int:
    """Given text, return the offset just after its second word (1 when it has fewer)."""
    words = text.split()
    if len(words) < 2:
        return 1
    return text.index(words[1], text.index(words[0]) + len(words[0])) + len(words[1])


def heading_unit(title: Optional[str], rules: LayoutRules, registry: UnitRegistry) -> Optional[str]:
    """Given a section heading, the layout rules and the unit registry, return it when it is the name of a unit ("1. Phòng Kinh tế"
    over the unit's tasks in "Tổ chức thực hiện"), else None: it opens with a unit head and
    is a registered unit, or is short and says nothing but the name."""
    if not title or not rules.unit_words.match(title, capital=False):
        return None
    name = title.strip(" .:;,")
    if registry.is_known(name):
        return name
    # not registered: a proper name capitalises the word after its head ("Ban Quản lý chợ",
    # "Trường Tiểu học"), a heading that starts with a verb does not ("Ban hành văn bản")
    words = name.split()
    if name.isupper():  # capitals say nothing about proper names: "BAN HÀNH VĂN BẢN"
        return None
    if (2 <= len(words) <= HEADING_UNIT_MAX_WORDS and words[1][:1].isupper()
            and _find_first(name, rules.prose_roles.lead_after) < 0):
        return name
    return None


HEADING_UNIT_MAX_WORDS = 10


def prose_to_raw_items(region: Region, want: set[str], rules: Rules) -> tuple[list[RawItem], list[str]]:
    """Given the body region and the kinds wanted ({"target", "task"}), return the prose
    RawItems and warnings."""
    specks, registry, rules = rules.specks, rules.units, rules.layout
    items: list[RawItem] = []
    warnings: list[str] = []
    stack: list[tuple[int, str, Optional[str]]] = []  # (level, title, role)
    open_task: Optional[tuple[RawItem, list[Line]]] = None
    bullet_counter = 0

    def role_now() -> Optional[str]:
        for _, _, role in reversed(stack):
            if role:
                return role
        return None

    def section_now() -> Optional[str]:
        return stack[-1][1] if stack else None

    def heading_deadline() -> Optional[str]:
        for _, title, _ in reversed(stack):
            d = find_heading_deadline(title, rules)
            if d:
                return d
        return None

    def close_task() -> None:
        nonlocal open_task
        if open_task:
            it, lines = open_task
            it.text = " ".join(it.text.split())
            it.provenance = _provenance(lines)
            d = find_prose_deadline(it.text, rules)
            if d:
                it.cells["deadline"] = d
            items.append(it)
        open_task = None

    body_lines, warnings = drop_footnotes(region.lines, rules)
    # the body ends at the distribution list / closing sentence: its "- UBND tỉnh;" lines
    # are recipients, not tasks
    end_rx = rules.regex("body_end", re.IGNORECASE)
    end = next((i for i, ln in enumerate(body_lines) if end_rx.match(ln.text)), None)
    if end is not None:
        body_lines = body_lines[:end]
    blocks = lines_to_blocks(body_lines, specks)
    for bi, b in enumerate(blocks):
        ln = b.head
        if b.heading:
            close_task()
            lvl = kind_level(ln)
            while stack and stack[-1][0] >= lvl:
                stack.pop()
            stack.append((lvl, b.text.rstrip(specks["line_trail"]).strip(), section_role(b.text, rules)))
            bullet_counter = 0
            continue
        role = role_now()
        if role not in want or ln.kind == "text":
            if role in want and open_task and ln.kind == "text":
                open_task[0].text += " " + b.text
                open_task[1].extend(b.lines)
            continue
        text = b.text
        if role == "target":
            if is_group_label(b, specks):
                continue  # "- Về số lượng:" groups the bullets below it
            bullet_counter += 1
            it = RawItem(kind="target", text=text, section=section_now(), layout="prose",
                         ordinal=ln.ord if ln.kind in ENUM_KINDS else str(bullet_counter),
                         provenance=_provenance(b))
            d = heading_deadline()
            if d:
                it.cells["deadline"] = d
            items.append(it)
            continue
        # tasks
        if ln.kind in ENUM_KINDS:
            close_task()
            it = RawItem(kind="task", text=text, section=section_now(), layout="prose", ordinal=ln.ord)
            open_task = (it, list(b.lines))
            lead = subject_unit(text, rules, registry) or heading_unit(section_now(), rules, registry)
            if lead:
                it.cells["lead"] = lead
            coop = cooperating_phrase(text, rules, registry)
            if coop:
                it.cells["cooperating"] = coop
            continue
        # a bullet
        if open_task:
            open_task[0].text += " " + ("- " if ln.ord == "-" else "") + text
            open_task[1].extend(b.lines)
            continue
        lead = subject_unit(text, rules, registry) or heading_unit(section_now(), rules, registry)
        dl = find_prose_deadline(text, rules)
        if not lead and not dl:
            continue
        bullet_counter += 1
        it = RawItem(kind="task", text=text, section=section_now(), layout="prose",
                     ordinal=str(bullet_counter), provenance=_provenance(b))
        if lead:
            it.cells["lead"] = lead
        coop = cooperating_phrase(text, rules, registry)
        if coop:
            it.cells["cooperating"] = coop
        if dl:
            it.cells["deadline"] = dl
        items.append(it)
    close_task()
    return items, warnings
