"""The layout rules (extract/data/headings.yaml + cues.yaml): heading numerals, field labels,
section roles, cues; validated, with their compiled views."""
from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator

from ...core.folding import fold, nfc


def fold_pattern(p: str) -> str:
    """Given a regex written with Vietnamese letters, return it for folded text (no
    diacritics, lower case) — escapes such as \\S keep their case."""
    out, esc = [], False
    for c in p:
        out.append(c if esc else fold(c))
        esc = (c == "\\") and not esc
    return "".join(out).replace("(?p<", "(?P<")


def compile_rule(p: str, flags: int = 0) -> re.Pattern:
    """Given a regex of a rule file, return it compiled; a broken one fails naming it."""
    try:
        return re.compile(p, flags)
    except re.error as e:  # a broken data file must fail loudly, naming the pattern
        raise ValueError(f"bad regex in layout rules: {p!r}: {e}") from e


class Span:
    """A match position in the original text (same positions as in its folded form)."""

    __slots__ = ("_s", "_e")

    def __init__(self, s: int, e: int) -> None:
        self._s, self._e = s, e

    def start(self) -> int:
        return self._s

    def end(self) -> int:
        return self._e


class FoldedWords:
    """Whole-word alternation of phrases matched on folded text; by default only where the
    printed text is capitalised ("Phòng Văn hóa", not "phòng họp" inside a sentence)."""

    def __init__(self, words: list[str]) -> None:
        self._forms: dict[str, set[str]] = {}
        for w in words:
            self._forms.setdefault(fold(w), set()).add(w.lower())
        alts = sorted(self._forms, key=len, reverse=True)
        self._rx = compile_rule(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alts) + r")(?!\w)")

    def _ok(self, text: str, s: int, e: int, capital: bool) -> bool:
        if capital and not text[s].isupper():
            return False
        printed = text[s:e].lower()
        # as written, or written without any tone mark (unrestored text); a different
        # accented word with the same letters is another word ("Số" is not "Sở")
        return printed in self._forms.get(fold(printed), ()) or fold(printed) == printed

    def finditer(self, text: str, capital: bool = True):
        for m in self._rx.finditer(fold(text)):
            if self._ok(text, m.start(), m.end(), capital):
                yield Span(m.start(), m.end())

    def match(self, text: str, capital: bool = True) -> Optional[Span]:
        m = self._rx.match(fold(text))
        if not m or not self._ok(text, m.start(), m.end(), capital):
            return None
        return Span(m.start(), m.end())


class LineKindRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    regex: str

    @field_validator("regex")
    @classmethod
    def _valid(cls, v: str) -> str:
        compile_rule(v)
        return v


class SectionRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["target", "task", "skip"]
    match: str


class ProseRoles(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lead_after: list[str]
    lead_before_prefix: list[str]
    coop_cue: list[str]
    coop_end: list[str]
    # lower-case words after a registered name that go on with the name or the list
    # ("Các sở, ban, ngành liên quan", "Công an xã và ..."); any other ends it (a verb)
    name_goes_on: list[str] = []


class LayoutRules(BaseModel):
    """headings.yaml + cues.yaml, validated, with compiled views (the properties)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    line_kinds: list[LineKindRule]
    table_row_ordinal: str
    table_row_ordinal_specks: str
    flat_lookahead_lines: int
    flat_group_cell_words: int
    flat_group_row_words: int
    flat_title_tail_words: int
    delimited_min_rows: int
    flat_caps_title_letters: int
    flat_caps_title_share: float
    table_ordinal_only: str
    table_section_roman: str
    table_roman_only: str
    column_bar: str
    field_lines: dict[str, str]
    sections: list[SectionRule]
    body_end: str
    table_header_words: list[str]
    appendix_title: str
    appendix_end: str
    title_plan_year: str
    unit_heads: list[str]
    prose_roles: ProseRoles
    prose_deadlines: list[str]
    heading_deadlines: list[str]
    table_deadlines: list[str]
    table_value_token: str
    table_value_not_after: list[str] = []
    appendix_kind: dict[str, list[str]]
    cell_fragments: list[str]
    linking_words: list[str]
    section_row_starts: list[str]
    ordinal_lookalikes: str = ""
    column_number_row: str = r"(?!)"
    footnote_marker: str
    footnote_length_ratio: float
    deadline_header_words: list[str]
    list_item_without_dot: str
    paren_number_ocr: str = r"(?!)"

    _views: dict = PrivateAttr(default_factory=dict)

    def model_post_init(self, _ctx) -> None:
        c = compile_rule
        # cue patterns match folded text (fold() keeps positions), so a tone mark lost or
        # misplaced by OCR/restoration does not hide a heading, a field label or a deadline
        f = fold_pattern
        self._views.update(
            kinds=[(r.kind, c(r.regex)) for r in self.line_kinds],
            fields={k: c(f(v), re.I) for k, v in self.field_lines.items()},
            sections=[(s.role, c(f(s.match), re.I)) for s in self.sections],
            prose_deadlines=[c(f(p), re.I) for p in self.prose_deadlines],
            heading_deadlines=[c(f(p), re.I) for p in self.heading_deadlines],
            table_deadlines=[c(f(p), re.I) for p in self.table_deadlines],
            unit_words=FoldedWords(self.unit_heads),
            header_words=frozenset(fold(w) for w in self.table_header_words),
            value_not_after=frozenset(nfc(w).lower() for w in self.table_value_not_after),
            flat={
                "ord_row": c(self.table_row_ordinal),
                "ord_row_specks": c(self.table_row_ordinal_specks),
                "ord_only": c(self.table_ordinal_only),
                "roman_row": c(self.table_section_roman),
                "roman_only": c(self.table_roman_only),
                "bar": c(self.column_bar),
                "value": c(self.table_value_token),
                "title": c(self.appendix_title),
                "end": c(f(self.appendix_end), re.I),  # matched on folded text
                "frag": FoldedWords(self.cell_fragments),
                "year": re.compile(r"(?<!\d)(20[2-9]\d)(?!\d)"),
                "column_numbers": c(self.column_number_row),
            },
        )

    def with_specks(self, specks: dict[str, str]) -> "LayoutRules":
        """Given the bundle's OCR speck sets (ocr_specks.yaml, ``Rules.specks``), return these
        rules carrying them (``specks``); ``load_rules`` calls it, no data file sets them."""
        self._views["specks"] = specks
        return self

    @property
    def specks(self) -> dict[str, str]:
        """The OCR speck sets of the bundle these rules came in (name -> characters)."""
        if "specks" not in self._views:
            raise KeyError("LayoutRules without OCR speck sets: load them with extract.rules.load_rules()")
        return self._views["specks"]

    # compiled views
    @property
    def kinds(self) -> list[tuple[str, re.Pattern]]:
        """(line kind, pattern) in the order they are tried."""
        return self._views["kinds"]

    @property
    def field_patterns(self) -> dict[str, re.Pattern]:
        """Field-line role -> pattern on folded text ("co quan chu tri: ...")."""
        return self._views["fields"]

    @property
    def section_patterns(self) -> list[tuple[str, re.Pattern]]:
        """(section role, pattern on folded heading text)."""
        return self._views["sections"]

    @property
    def prose_deadline_patterns(self) -> list[re.Pattern]:
        return self._views["prose_deadlines"]

    @property
    def heading_deadline_patterns(self) -> list[re.Pattern]:
        return self._views["heading_deadlines"]

    @property
    def table_deadline_patterns(self) -> list[re.Pattern]:
        return self._views["table_deadlines"]

    @property
    def unit_words(self) -> FoldedWords:
        """The unit head words ("Phòng", "Ủy ban nhân dân") as capitalised whole words."""
        return self._views["unit_words"]

    @property
    def header_words(self) -> frozenset[str]:
        """The folded column-header words of flattened tables."""
        return self._views["header_words"]

    @property
    def value_not_after(self) -> frozenset[str]:
        """The words (lower case) after which a number is the text's own, not a value cell."""
        return self._views["value_not_after"]

    @property
    def flat(self) -> dict[str, re.Pattern | FoldedWords]:
        """The patterns the flattened-table reader splits lines with."""
        return self._views["flat"]

    def regex(self, name: str, flags: int = 0) -> re.Pattern:
        return compile_rule(getattr(self, name), flags)
