"""Read a plan's metadata from its text: number, type, issuer, place and date, title, signer,
and the documents it cites as its basis.

Rules (document types, header noise, issuer words and casing, signer roles, family names,
the regex table) are data: ``extract/data/metadata.yaml``. Matching is done on folded text
(no diacritics, same length as the text), values are cut from the text as printed. The
issuer is read by ``extract.metadata_issuer``, the signer by ``extract.metadata_signer``;
this module reads the rest and puts them together (``extract_metadata``).

    meta = extract_metadata(doc_lines)
    meta["number"], meta["issuer"], meta["issued_date"], meta["references"], meta["warnings"]
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from rapidfuzz import fuzz

from ..core.folding import fold, nfc, squash_spaces
from ..schema import Reference
from .metadata_issuer import (body_issuer, cased_as_printed, combine_issuer, header_issuer, issuer_identity,
                              listed_place_spelling, place_of, strip_person)
from .metadata_signer import lines_to_signer
from .rules.metadata import MetadataRules, fold_phrase as _f

if TYPE_CHECKING:
    from .units import UnitRegistry

# The module's character-level regexes (phrases and document grammar live in metadata.yaml).
_RX = {
    "spaces": re.compile(r"\s+"),
    "not_place_word": re.compile(r"[\d/:]"),       # a symbol or a number is not a place name
    "word": re.compile(r"\w"),
    "digits": re.compile(r"\d+"),
    "symbol_parts": re.compile(r"[-/]"),
    "glued_symbol": re.compile(r"^(\d+)([A-ZĐ][A-Za-zĐđ]*)"),
    "symbol_split": re.compile(r"([-/])"),           # keeps the separators
    "word_joins": re.compile(r"(?<=\w)[-–:](?=\w)"),
    "phrase_marks": re.compile(r"[:.]"),            # stray marks inside a phrase ("Quyết: định")
    "double_sep": re.compile(r"([-/])\s*[-_]+\s*(?=[A-ZĐ])"),  # "57- -NQ/TW" read for "57-NQ/TW"
    "glued_place": re.compile(r"\s+[-/]\s*(\S+)$"),  # "169/KH-UBND -Sơn": a place word after the symbol
}


# ----------------------------------------------------------------------------- pieces


def _clean_line(line: str, c: MetadataRules) -> str:
    """Given a line as OCR read it, return it without stray marks: tokens made only of junk
    characters ("¬", "|", "_", ".") and junk at both ends ("'KẾ HOẠCH:" -> "KẾ HOẠCH")."""
    junk = set(c.specks["header_token"])
    tokens = [t for t in line.split() if not set(t) <= junk]
    return " ".join(tokens).lstrip(c.specks["header_lead"]).rstrip(c.specks["header_trail"])


def _type_heading(lines: list[str], c: MetadataRules) -> tuple[Optional[int], Optional[str]]:
    """Given the lines, return (index, type) of the standalone type heading ("KẾ HOẠCH")."""
    for i, line in enumerate(lines):
        key = _f(line).strip(c.specks["type_heading"])  # OCR specks: "KẾ HOẠCH -:", "‘KẾ HOẠCH"
        if key in c.kinds and line.strip().isupper():
            return i, c.kinds[key]
    return None, None


def _number(lines: list[str], c: MetadataRules) -> Optional[str]:
    """Given the header lines, return the plan's number as printed, spaces removed."""
    for line in lines:
        m = c.number.search(fold(line))
        if m:
            printed = _without_glued_place(line[m.start("num"):m.end("sym")], c)
            return fix_symbol(_RX["spaces"].sub("", printed).rstrip("."), c)
    return None


def _without_glued_place(symbol: str, c: MetadataRules) -> str:
    """Given a number and symbol as matched ("169/KH-UBND -Sơn"), return it without a last
    part set off by a space that is no symbol code but a word ("Sơn" of "Sơn La, ngày")."""
    m = _RX["glued_place"].search(symbol)
    if m and not m.group(1).isupper() and fold(m.group(1)) not in {fold(k) for k in c.r.symbol_codes}:
        return symbol[:m.start()]
    return symbol


def fix_symbol(number: str, c: MetadataRules) -> str:
    """Given a document number as read ("10-KH/PU"), return it with codes OCR misread fixed ("10-KH/ĐU").

    A code not in the list of symbol codes is replaced by the listed code that one confusion
    swap ("P" read for "Đ") makes of it, when exactly one such code exists.
    """
    codes = {nfc(x) for x in c.r.symbol_codes}
    if not codes:
        return number
    glued = _RX["glued_symbol"].match(number)  # "169KH-UBND": the "/" was not read
    if glued and glued.group(2) in codes:
        number = f"{glued.group(1)}/{number[glued.end(1):]}"

    def fix(part: str) -> str:
        if not part or part in codes or not part[:1].isalpha():
            return part
        found = {part[:i] + nfc(rep) + part[i + 1:] for i, ch in enumerate(part)
                 for wrong, rep in c.r.symbol_confusions.items() if ch == wrong}
        found &= codes
        return found.pop() if len(found) == 1 else part

    return "".join(fix(p) if i % 2 == 0 else p
                   for i, p in enumerate(_RX["symbol_split"].split(number)))


def _iso(y: Optional[str], m: Optional[str], d: Optional[str]) -> Optional[str]:
    """Given year, month, day strings (day may be blank), return an ISO date or "YYYY-MM"."""
    try:
        yi, mi = int(y), int(m)
    except (TypeError, ValueError):
        return None
    if not 1 <= mi <= 12:
        return None
    if d and d.strip().isdigit() and 1 <= int(d) <= 31:
        return f"{yi:04d}-{mi:02d}-{int(d):02d}"
    return f"{yi:04d}-{mi:02d}"


def _place_before(line: str, end: int, specks: dict[str, str]) -> Optional[str]:
    """Given a line and where ", ngày" starts, return the capitalised words just before it."""
    words = [w.strip(specks["place_word_edge"]) for w in line[:end].split()]  # "-Sơn La": a speck
    place: list[str] = []
    for w in reversed(words):
        if not w[:1].isupper() or _RX["not_place_word"].search(w):
            break
        place.insert(0, w)
    # A header run like "HẠNH PHÚC Sơn La": keep only the words in place-name case.
    while place and place[0].isupper() and len(place[0]) > 1:
        place.pop(0)
    return " ".join(place) or None


def _place_names(lines: list[str], c: MetadataRules) -> dict[str, int]:
    """Given the lines, return the place names printed after a level word ("tỉnh Sơn La",
    "xã Chợ Đồn": up to three capitalised words, within a line) with how often each is printed."""
    names: dict[str, int] = {}
    for line in lines:
        _line_place_names(line.split(), c, names)
    return names


def _line_place_names(words: list[str], c: MetadataRules, names: dict[str, int]) -> None:
    for i, w in enumerate(words):
        if _f(w) not in c.levels:
            continue
        run = []
        for raw in words[i + 1:i + 4]:
            x = raw.strip(c.specks["place_name_edge"])
            if not x[:1].isupper():
                break
            run.append(x)
            if raw.rstrip(c.specks["word_edge"])[-1:] in ".,;:)":  # the name ends at punctuation
                break
        # a header's capitals count as the same name ("TỈNH SƠN LA" = "tỉnh Sơn La"); where
        # the name ends is not known ("TỈNH SƠN LA Độc lập"): every prefix of the run counts
        run = [x.capitalize() if x.isupper() else x for x in run]
        for n in range(1, len(run) + 1):
            name = " ".join(run[:n])
            names[name] = names.get(name, 0) + 1


def _consistent_place(place: Optional[str], names: dict[str, int], c: MetadataRules) -> Optional[str]:
    """Given a place as read ("Sơn Ta", "SơnEa", "Tânkỳ") and the place names of the text,
    return the name the text prints at least twice that it is an OCR slip of (compared
    without spaces), else the place as read: a slip is rarely repeated throughout a plan."""
    if not place or not names or names.get(place, 0) >= 2:
        return place
    key = _f(place).replace(" ", "")
    # a run's first words that are printed only as the start of one longer name ("Sơn" of
    # "TỈNH SƠN LA" each time) are not a name of their own
    names = {n: k for n, k in names.items()
             if not any(m.startswith(n + " ") and names[m] == k for m in names)}
    # the line lost the name's first words ("ng Trị, ngày ..." for "Quảng Trị"): the one name
    # printed twice that ends with the words read
    tail = _f(place).split()
    ends = {n for n in names if names[n] >= 2 and len(_f(n).split()) > len(tail)
            and _f(n).split()[-len(tail):] == tail}
    if len(ends) == 1:
        return ends.pop()
    # its last word was misread into letters no Vietnamese word has, glued to the one
    # before ("SơnEø" for "Sơn La"): the one name printed twice with the same first words
    # and a last word of about that length
    words = [_f(w) for w in _unglued(place).split()]
    if len(words) > 1 and not words[-1].isascii():
        heads = {n for n in names if names[n] >= 2 and _f(n).split()[:-1] == words[:-1]
                 and len(_f(n).split()) == len(words)
                 and abs(len(_f(n).split()[-1]) - len(words[-1])) <= 1}
        if len(heads) == 1:
            return heads.pop()
    scored = [(fuzz.ratio(_f(n).replace(" ", ""), key), names[n], n) for n in names if names[n] >= 2]
    if not scored:
        return place
    score, _, best = max(scored)
    return best if score >= c.r.place_min_score else place


def _unglued(text: str) -> str:
    """Given words as read, return them with a space where a capital follows a small
    letter inside a word ("SơnEø" -> "Sơn Eø": OCR lost the space)."""
    return "".join(f" {ch}" if i and ch.isupper() and text[i - 1].islower() else ch
                   for i, ch in enumerate(text))


def _consistent_issuer(issuer: Optional[str], names: dict[str, int], dated_place: Optional[str],
                       c: MetadataRules) -> Optional[str]:
    """Given an issuer ("Ủy ban nhân dân tỉnh Sơn-La", "... xã Tânkỳ"), return it with its place
    as the text prints it, or as the place-and-date line prints it (title case reads better
    than the header's capitals)."""
    if not issuer:
        return issuer
    body, place = place_of(issuer, c)
    if not place:
        return issuer
    fixed = _consistent_place(place, names, c)
    if fixed == place and dated_place and dated_place != place:
        close = fuzz.ratio(_f(dated_place).replace(" ", ""), _f(place).replace(" ", ""))
        fixed = dated_place if close >= c.r.place_min_score else place
    return f"{body} {fixed}"


def _place_date(lines: list[str], c: MetadataRules) -> tuple[Optional[str], Optional[str]]:
    """Given header lines, return (place, issued date) from "Sơn La, ngày 12 tháng 08 năm 2025"."""
    for line in lines:
        m = c.place_date.search(fold(line))
        if m:
            return _place_before(line, m.start(), c.specks), _iso(m.group("y"), m.group("m"), m.group("d"))
    return None, None


def _attached_date(text_folded: str, c: MetadataRules) -> Optional[str]:
    """Given the folded text, return the plan's date from "(Kèm theo Kế hoạch số ... ngày ...)"."""
    m = c.attached.search(text_folded)
    if not m:
        return None
    if m.group("y1"):
        return _iso(m.group("y1"), m.group("m1"), m.group("d"))
    return _iso(m.group("y"), m.group("m"), m.group("d"))


def _title(lines: list[str], start: Optional[int], c: MetadataRules) -> tuple[Optional[str], int]:
    """Given the lines and the type heading index, return (title, index after the title)."""
    if start is None:
        return None, 0
    openers = tuple(_f(o) for o in c.r.body_openers)
    out: list[str] = []
    i = start + 1
    while i < len(lines) and len(out) < c.r.title_max_lines:
        line = lines[i].strip()
        key = _f(_RX["word_joins"].sub(" ", line))  # "Căn-cứ" as OCR joins "Căn cứ"
        if not _RX["word"].search(line):
            if out and not line:
                break
            i += 1
            continue
        # a body opener in lower case continues the heading ("KẾ HOẠCH / thực hiện ...")
        if (key.startswith(openers) and not line[:1].islower()) or c.section.match(key):
            break
        out.append(line)
        i += 1
    return (squash_spaces(" ".join(out)) or None), i


def _opening(lines: list[str], start: int, c: MetadataRules) -> str:
    """Given the lines and where the body starts, return the opening paragraphs joined."""
    out = []
    for line in lines[start:start + 60]:
        if c.section.match(_f(line)) and out:
            break
        out.append(" ".join(w.strip(c.specks["word_edge"]) for w in line.split()))
    return _RX["double_sep"].sub(r"\1", squash_spaces(" ".join(out)))


def _references(opening: str, c: MetadataRules) -> list[Reference]:
    """Given the opening paragraphs, return the cited documents, first mention order, no repeats."""
    folded = fold(opening)
    longs = [(_f(n), n) for n in c.r.long_issuer_names]
    refs: list[Reference] = []
    seen: set[tuple[str, str]] = set()
    for m in c.reference.finditer(folded):
        kind = c.kinds.get(_f(_RX["phrase_marks"].sub(" ", m.group("kind"))))
        number = fix_symbol(_RX["spaces"].sub("", opening[m.start("num"):m.end("num")]), c)
        date = _ref_date(m.group("date"))
        issuer = _issuer_after(opening, folded, m.end(), longs, c) or _issuer_before(opening, folded, m.start(), c)
        key = (kind or "", number)
        if key in seen:  # a later mention may say what an OCR slip hid in the first
            for r in refs:
                if (r.kind or "", r.number) == key:
                    r.date, r.issuer = r.date or date, r.issuer or issuer
            continue
        seen.add(key)
        raw = squash_spaces(opening[m.start():m.end()])
        refs.append(Reference(kind=kind, number=number, date=date, issuer=issuer, raw=raw))
    return refs


def _ref_date(s: Optional[str]) -> Optional[str]:
    if not s:
        return None
    nums = _RX["digits"].findall(s)
    return _iso(nums[2], nums[1], nums[0]) if len(nums) == 3 else None


def _issuer_after(text: str, folded: str, pos: int, longs, c: MetadataRules) -> Optional[str]:
    """Given the text after a reference, return the body in "của <body> về ...", if any."""
    m = c.issuer_after.match(folded[pos:])
    if not m:
        return None
    start = pos + m.end()
    rest = squash_spaces(folded[start:start + 300])
    for key, name in longs:
        if rest.startswith(key):
            return name
    stop = c.stops.search(folded, start)
    end = stop.start() if stop else min(len(text), start + 120)
    issuer = strip_person(text[start:end], c).strip(" ,")
    return squash_spaces(issuer) or None


def _issuer_before(text: str, folded: str, pos: int, c: MetadataRules) -> Optional[str]:
    """Given the text before a reference, return X in "đề nghị của <X> tại Tờ trình ...", if any."""
    base = max(0, pos - 150)
    m = c.issuer_before.search(folded[base:pos])
    if not m:
        return None
    return squash_spaces(strip_person(text[base + m.start("iss"):base + m.end("iss")], c)) or None


# ----------------------------------------------------------------------------- signer


# ----------------------------------------------------------------------------- entry


def extract_metadata(lines: list[str], rules: MetadataRules, units: UnitRegistry,
                     exact: bool = False) -> dict:
    """Given the (restored) text lines of a whole plan, NFC (``sections.document_to_lines``
    makes them so), the metadata rules and the unit registry (the rules bundle's ``units``:
    the issuer's body and place are read with it), return its metadata. ``exact``: the lines
    are the print itself (a text layer or Word file, nothing OCR'd or restored), so the
    signer's name is kept as printed, never repaired.

    Keys: number, doc_type, issuer, place, issued_date ("YYYY-MM-DD" or "YYYY-MM"), title,
    signer {name, title}, references [schema.Reference], warnings [str] (what was not found).
    """
    c = rules
    lines = [_clean_line(l, c) for part in (lines or []) for l in str(part).replace("\f", "\n").split("\n")]
    warnings: list[str] = []
    head_idx, doc_type = _type_heading(lines, c)
    header = lines[: head_idx if head_idx is not None else 12]
    number = _number(header, c)
    place, issued = _place_date(lines[: (head_idx or 12) + 1], c)
    names = _place_names(lines, c)
    if place:
        names[place] = names.get(place, 0) + 1  # the header's own reading counts once
    place = _consistent_place(place, names, c)
    if place:  # "Son La": old OCR's place as the national list spells it, when it holds one
        place = units.forms.place_spelling(place) or place
    if issued is None:
        issued = _attached_date(squash_spaces(fold(" ".join(lines))), c)
    title, body_start = _title(lines, head_idx, c)
    opening = _opening(lines, body_start, c)
    issuer = _consistent_issuer(combine_issuer(header_issuer(header, c), body_issuer(opening, c), c),
                                names, place, c)
    issuer = listed_place_spelling(cased_as_printed(issuer, opening), c, units.forms)
    issuer = issuer_identity(issuer, c, units, warnings, place)
    if doc_type is None and number:
        doc_type = _type_from_symbol(number, c)
    signer, signer_warnings = lines_to_signer(lines, c, exact)
    warnings += signer_warnings
    references = _references(opening, c)
    for key, value in (("number", number), ("doc_type", doc_type), ("issuer", issuer),
                       ("issued_date", issued), ("title", title)):
        if value is None:
            warnings.append(f"metadata: no {key} found")
    return {
        "number": number, "doc_type": doc_type, "issuer": issuer, "place": place,
        "issued_date": issued, "title": title, "signer": signer, "references": references,
        "warnings": warnings,
    }


def _type_from_symbol(number: str, c: MetadataRules) -> Optional[str]:
    """Given "169/KH-UBND", return "Kế hoạch" (the type its symbol names)."""
    parts = _RX["symbol_parts"].split(number)
    for kind, symbols in c.r.doc_types.items():
        if any(s in parts for s in symbols):
            return kind
    return None
