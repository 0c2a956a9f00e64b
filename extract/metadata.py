"""Read a plan's metadata from its text: number, type, issuer, place and date, title, signer,
and the documents it cites as its basis.

Rules (document types, header noise, issuer words and casing, signer roles, family names,
the regex table) are data: ``extract/data/metadata.yaml``. Matching is done on folded text
(no diacritics, same length as the text), values are cut from the text as printed.

    meta = extract_metadata(doc_lines)
    meta["number"], meta["issuer"], meta["issued_date"], meta["references"], meta["warnings"]
"""
from __future__ import annotations

import re
from typing import Optional

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..core.folding import fold, nfc, squash_spaces
from .specks import ocr_specks
from ..schema import Reference
from .rules.metadata import MetadataRules, fold_phrase as _f, letters_of as _letters

# The module's character-level regexes (phrases and document grammar live in metadata.yaml).
_RX = {
    "spaces": re.compile(r"\s+"),
    "not_place_word": re.compile(r"[\d/:]"),       # a symbol or a number is not a place name
    "word": re.compile(r"\w"),
    "letters": re.compile(r"[^\W\d_]+"),
    "letter": re.compile(r"[^\W\d_]"),
    "digits": re.compile(r"\d+"),
    "segments": re.compile(r"[^\w\s]|_"),          # a line's punctuation-separated segments
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
    junk = set(ocr_specks("header_token"))
    tokens = [t for t in line.split() if not set(t) <= junk]
    return " ".join(tokens).lstrip(ocr_specks("header_lead")).rstrip(ocr_specks("header_trail"))


def _type_heading(lines: list[str], c: MetadataRules) -> tuple[Optional[int], Optional[str]]:
    """Given the lines, return (index, type) of the standalone type heading ("KẾ HOẠCH")."""
    for i, line in enumerate(lines):
        key = _f(line).strip(ocr_specks("header_lead"))  # OCR specks: "KẾ HOẠCH -:"
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


def _place_before(line: str, end: int) -> Optional[str]:
    """Given a line and where ", ngày" starts, return the capitalised words just before it."""
    words = [w.strip(ocr_specks("place_word_edge")) for w in line[:end].split()]  # "-Sơn La": a speck
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
            x = raw.strip(ocr_specks("place_name_edge"))
            if not x[:1].isupper():
                break
            run.append(x)
            if raw.rstrip(ocr_specks("word_edge"))[-1:] in ".,;:)":  # the name ends at punctuation
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
    body, place = _place_of(issuer, c)
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
            return _place_before(line, m.start()), _iso(m.group("y"), m.group("m"), m.group("d"))
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
        out.append(" ".join(w.strip(ocr_specks("word_edge")) for w in line.split()))
    return _RX["double_sep"].sub(r"\1", squash_spaces(" ".join(out)))


def _titlecase_issuer(upper: str, c: MetadataRules) -> str:
    """Given an issuer in capitals ("ỦY BAN NHÂN DÂN TỈNH SƠN LA"), return it in name case."""
    words = upper.split()
    keys = [_f(w) for w in words]
    out: list[str] = []
    i = 0
    longest = max((len(k) for k in c.casing), default=1)
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            phrase = c.casing.get(tuple(keys[i:i + n]))
            printed = " ".join(words[i:i + n]).lower()
            # the casing table is keyed without marks: "SỐ" is not "Sở" when the header prints
            # its marks (a header without any, as old OCR gives, takes the table's word)
            if phrase and (phrase.lower() == printed or fold(printed) == printed):
                out.append(phrase)
                i += n
                break
        else:
            out.append(words[i][:1].upper() + words[i][1:].lower())
            i += 1
    return " ".join(out)


def _header_issuer(lines: list[str], c: MetadataRules) -> Optional[str]:
    """Given the header lines (before the type heading), return the issuing body, name-cased.

    The header's left block names the superior body and then the issuer, one name possibly
    wrapped ("ỦY BAN NHÂN DÂN" / "TỈNH SƠN LA"): a line that starts with a body word starts
    a new name, other lines continue it; the issuer is the last name.
    """
    noise = [_f(n) for n in c.r.header_noise]
    bodies: list[str] = []
    for line in lines:
        folded = fold(line)
        if c.number_line.search(folded) or c.place_date.search(folded):
            continue
        kept = line
        for n in noise:
            idx = _noise_at(_f(kept), n, c.r.header_noise_min_score)
            if idx is not None:
                # cut the noise and what follows it on the line (the right-hand block)
                kept = _cut_folded(kept, idx)
        caps = " ".join(_capital_words(_RX["letters"].findall(kept)))
        if not caps or len(caps) < 3:
            continue
        key = _f(caps)
        if key.startswith(c.heads) or not bodies:
            bodies.append(caps)
        else:
            bodies[-1] = f"{bodies[-1]} {caps}"
    if not bodies:
        return None
    return _with_superior_place([_titlecase_issuer(b, c) for b in bodies], c)


def _with_superior_place(bodies: list[str], c: MetadataRules) -> str:
    """Given the header's bodies, superior first ("Ủy ban nhân dân tỉnh Quảng Trị", "Sở Nông
    nghiệp và Môi trường"), return the issuer's full name: the last body, with the level and
    place of the nearest superior that prints one when the issuer prints none (a department's
    name alone does not say which province it belongs to)."""
    issuer = bodies[-1]
    if _place_of(issuer, c)[1] is not None:
        return issuer
    for superior in reversed(bodies[:-1]):
        level_body, place = _place_of(superior, c)
        if place:
            level = level_body.split()[-len(_level_words_at_end(level_body, c)):]
            return f"{issuer} {' '.join(level)} {place}"
    return issuer


def _level_words_at_end(body: str, c: MetadataRules) -> list[str]:
    """Given "Ủy ban nhân dân thành phố", return the level words it ends with (["thành", "phố"])."""
    words = body.split()
    if len(words) >= 2 and " ".join(_f(w) for w in words[-2:]) in c.levels:
        return words[-2:]
    return words[-1:]


def _capital_words(words: list[str]) -> list[str]:
    """Given a header line's words, return those in capitals: a one-letter word only between
    two capital words ("SỞ Y TẾ"), a lone letter elsewhere being an OCR speck."""
    def caps(k: int) -> bool:
        return 0 <= k < len(words) and words[k].isupper() and len(words[k]) > 1

    return [w for k, w in enumerate(words)
            if w.isupper() and (len(w) > 1 or (caps(k - 1) and caps(k + 1)))]


def _noise_at(folded_line: str, noise: str, min_score: float) -> Optional[int]:
    """Given a squashed folded line and a noise phrase, return where the phrase starts, if there."""
    idx = folded_line.find(noise)
    if idx >= 0:
        return idx
    if len(folded_line) < len(noise) // 2:
        return None
    al = fuzz.partial_ratio_alignment(noise, folded_line, score_cutoff=min_score)
    return al.dest_start if al else None


def _cut_folded(line: str, folded_idx: int) -> str:
    """Given a line and an index into its squashed folded form, return the line before it."""
    squashed = squash_spaces(line)
    return squashed[:folded_idx]


def _strip_person(text: str, c: MetadataRules) -> str:
    """Given "Chủ tịch Ủy ban nhân dân tỉnh Sơn La", return "Ủy ban nhân dân tỉnh Sơn La"."""
    key = _f(text)
    for t in c.person_titles:
        if key.startswith(t + " "):
            return squash_spaces(text)[len(t) + 1:].strip()
    return text.strip()


def _body_issuer(opening: str, c: MetadataRules) -> Optional[str]:
    """Given the opening paragraphs, return the body in "<body> ban hành Kế hoạch ...", if any."""
    folded = fold(opening)
    found = None
    for m in c.issues_verb.finditer(folded):
        clause_start = max(folded.rfind(p, 0, m.start()) for p in ",;.:") + 1
        clause = _strip_person(opening[clause_start:m.start()], c)
        key = _f(clause)
        if key and key.startswith(c.heads) and len(key.split()) <= 14:
            found = clause
    return squash_spaces(found) if found else None


def _place_of(issuer: str, c: MetadataRules) -> tuple[str, Optional[str]]:
    """Given "Đảng ủy xã Tân Kỳ", return ("Đảng ủy xã", "Tân Kỳ"): the body and its place."""
    levels = c.levels
    words = issuer.split()
    keys = [_f(w) for w in words]
    for i in range(len(words) - 1, -1, -1):
        two = " ".join(keys[i:i + 2])
        # "Huyện ủy Chư Sê": a committee's name (not the district level), then its place
        if (two in levels or two in c.not_levels) and i + 2 < len(words):
            return " ".join(words[:i + 2]), " ".join(words[i + 2:])
        if keys[i] in levels and i + 1 < len(words):
            return " ".join(words[:i + 1]), " ".join(words[i + 1:])
    return issuer, None


def _combine_issuer(header: Optional[str], body: Optional[str], c: MetadataRules) -> Optional[str]:
    """Given the header's and the opening's issuer, return the plan's issuer.

    The header names the body; the opening may name the organ of it that issued the plan
    ("Ban Thường vụ Đảng ủy xã" of "ĐẢNG ỦY XÃ TÂN KỲ"): then that organ, with the place.
    """
    if not body:
        return header
    if not header:
        return body
    h_body, place = _place_of(header, c)
    fb, fh, fhb = _f(body), _f(header), _f(h_body)
    cb, ch, chb = (x.replace(" ", "") for x in (fb, fh, fhb))
    if cb == ch or cb.endswith(ch) or fuzz.ratio(cb, ch) >= c.r.issuer_min_score:
        return body  # the same name; running text keeps its spaces better than capitals
    if cb == chb:
        return header
    bw, hw = squash_spaces(body).split(), header.split()
    if len(hw) > len(bw) and [_f(w) for w in hw[:len(bw)]] == [_f(w) for w in bw] \
            and _f(hw[len(bw)]) in {_f(l).split()[0] for l in c.levels}:
        # the opening names the body, the header adds its level and place ("Sở ... tỉnh X"):
        # the opening's casing reads better than the header's capitals
        return " ".join(bw + hw[len(bw):])
    # the opening names an organ of the header's body: "Ban Thường vụ" + "Đảng ủy xã" + place
    words, n = squash_spaces(body).split(), len(fhb.split())
    tails = [(fuzz.ratio(_f(" ".join(words[-k:])), fhb), k) for k in (n - 1, n, n + 1) if 0 < k < len(words)]
    if place and tails:
        score, k = max(tails)
        if score >= c.r.issuer_min_score:
            return f"{' '.join(words[:-k])} {h_body} {place}"
    return header


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
    issuer = _strip_person(text[start:end], c).strip(" ,")
    return squash_spaces(issuer) or None


def _issuer_before(text: str, folded: str, pos: int, c: MetadataRules) -> Optional[str]:
    """Given the text before a reference, return X in "đề nghị của <X> tại Tờ trình ...", if any."""
    base = max(0, pos - 150)
    m = c.issuer_before.search(folded[base:pos])
    if not m:
        return None
    return squash_spaces(_strip_person(text[base + m.start("iss"):base + m.end("iss")], c)) or None


# ----------------------------------------------------------------------------- signer


def _upper_run_after(line: str, start: int) -> str:
    """Given a line and a position, return the run of upper-case words starting there."""
    words = []
    for w in line[start:].split():
        if not w.isupper():
            break
        words.append(w)
    return squash_spaces(" ".join(words)).strip(" -–,;.:")


_RECIPIENTS_LETTERS = "noinhan"


def _damaged_recipients(line: str) -> bool:
    """Whether a line starts with "Nơi nhận:" with one letter of it misread: its first
    letters one edit from the phrase's, a colon within the next few characters."""
    head = line.lstrip(" \t-_~\"'‘“.,")[:12]
    if ":" not in head:
        return False
    letters = _letters(head.split(":", 1)[0])
    return len(letters) >= 6 and Levenshtein.distance(letters, _RECIPIENTS_LETTERS) <= 1


def _trailing_body(line: str, c: MetadataRules) -> Optional[str]:
    """Given a line, return the body it prints in capitals at its end ("ỦY BAN NHÂN DÂN"), if any."""
    words = line.split()
    while words and not _RX["letters"].search(words[-1]):
        words = words[:-1]
    run: list[str] = []
    for w in reversed(words):
        if not w.isupper():
            break
        run.insert(0, w)
    for n in range(len(run), 0, -1):
        found = c.bodies_compact.get(_letters(" ".join(run[-n:])))
        if found:
            return found
    return None


def _trailing_role(line: str, c: MetadataRules) -> Optional[str]:
    """Given a line, return the signer role printed in capitals at its end, if any."""
    words = line.split()
    while words and not _RX["letters"].search(words[-1]):  # "GIÁM ĐỐC -", a speck after the role
        words = words[:-1]
    run: list[str] = []
    for w in reversed(words):
        if w.isupper():
            run.insert(0, w)
        else:
            break
    for n in range(len(run), 0, -1):
        if _f(" ".join(run[-n:])) in c.roles:
            return c.roles[_f(" ".join(run[-n:]))]
    for n in range(len(run), 0, -1):  # OCR glued, broke or marked its words ("CHỦTỊCH", "TỊCH.")
        found = c.roles_compact.get(_letters(" ".join(run[-n:])))
        if found:
            return found
    return None


def _without_edge_specks(words: list[str]) -> list[str]:
    """Given a segment's words, return them without OCR specks at its edges: tokens without a
    letter ("7") or one lower-case letter ("a")."""
    def speck(w: str) -> bool:
        letters = _RX["letters"].findall(w)
        return not letters or (len(w) == 1 and w.islower())

    while words and speck(words[0]):
        words = words[1:]
    while words and speck(words[-1]):
        words = words[:-1]
    return words


def _name_in(line: str, c: MetadataRules) -> Optional[str]:
    """Given a line, return a person's name printed in it as a segment of its own
    ("- Báo và PTTH Sơn La; Nguyễn Thành Công", "Nguyễn Thành Công:_ Phụ lucc"), if any. A
    family name OCR or restoration printed with other marks ("Lệ Hoàng Nam", "Dang Văn Lực")
    is the one family name of the list it folds to, spelt as the list spells it."""
    for segment in reversed(_RX["segments"].split(line)):
        words = _without_edge_specks(segment.split())
        if not (2 <= len(words) <= 5 and all(w[:1].isupper() and (w[1:].islower() or len(w) == 1)
                                             for w in words)):
            continue
        if words[0] in c.surnames:
            return " ".join(words)
        spelt = c.surnames_folded.get(fold(words[0]))
        if spelt is not None:
            return " ".join([spelt, *words[1:]])
    return None


def spell_unmarked_name(name: str, rules: MetadataRules) -> str:
    """Given a person's name whose marks the print did not carry and restoration chose ("Đỗ
    Mình Khẳng", "Hà Vân Bình"), return it with each middle and given name the list does not
    spell so at its place respelt as the list's first name with the same letters ("Đỗ Minh
    Khang", "Hà Văn Bình"); the family name (first word) and names the list lacks are kept."""
    middle, given = rules.middle_names, rules.given_names
    words = name.split()
    out = words[:1]
    for i, w in enumerate(words[1:], start=1):
        table = given if i == len(words) - 1 else middle
        spellings = table.get(fold(nfc(w)).lower(), ())
        out.append(w if not spellings or nfc(w) in spellings else spellings[0])
    return " ".join(out)


def _signer(lines: list[str], c: MetadataRules) -> tuple[dict, list[str]]:
    """Given all lines, return ({name, title}, warnings) from the signature block."""
    recipients = next((i for i, l in enumerate(lines) if c.recipients.match(_f(l))), None)
    if recipients is None:  # OCR damaged its letters ("NoinhG@n:", "_Noinhgn:")
        recipients = next((i for i, l in enumerate(lines) if _damaged_recipients(l)), None)
    order = range(recipients if recipients is not None else 0, len(lines))
    title, at = None, None
    for i in order:
        prefixed = _prefixed_role(lines[i], c)  # a known role in its proper spelling
        if prefixed:
            title, at = prefixed, i
            break
    if title is None and recipients is not None:
        # the prefix lost to OCR ("[M. ỦY BAN NHÂN DÂN", "M, ỦY BAN ..."): a body in capitals
        # beside "Nơi nhận:" signs only on behalf of itself ("TM."), a head ("CHỦ TỊCH")
        # followed by its deputy ("PHÓ CHỦ TỊCH") only for the head ("KT.")
        body = _trailing_body(lines[recipients], c)
        if body:
            title, at = f"TM. {body}", recipients
        else:
            role = _trailing_role(lines[recipients], c)
            deputy = next((j for j in range(recipients + 1, min(len(lines), recipients + 6))
                           if role and _trailing_role(lines[j], c) == f"PHÓ {role}"), None)
            if deputy is not None:
                title, at = f"KT. {role}", recipients
    if title is None:
        for i in order:
            role = _trailing_role(lines[i], c)
            # the role alone on its line, or after "Nơi nhận:" (the head signs in person)
            if role and (_f(lines[i].strip()) == _f(role) or i == recipients):
                title, at = role, i
                break
    if title is None:
        return {"name": None, "title": None, "authority": [], "position": None}, \
            ["metadata: no signature block found"]
    last = at
    by_prefix = c.signer_prefix.match(title) is not None
    authority = [title] if by_prefix else []
    position = None if by_prefix else title  # the head signs in person ("CHỦ TỊCH")
    if authority:
        # the authority lines go on ("TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH") until the signer's
        # own position ("PHÓ CHỦ TỊCH"), each maybe printed beside a recipient ("- UBND tỉnh; KT. CHỦ TỊCH")
        first_role = _f(title.split(". ", 1)[-1])
        for j in range(at + 1, min(len(lines), at + 6)):
            prefixed = _prefixed_role(lines[j], c)
            if prefixed:
                authority.append(prefixed)
                first_role, last = _f(prefixed.split(". ", 1)[-1]), j
                continue
            role = _trailing_role(lines[j], c)
            if role and _f(role) != first_role:
                position, last = role, j
                break
    title = " - ".join(authority + ([position] if position else []))
    name = None
    for j in range(last + 1, min(len(lines), last + c.r.signer_search_lines)):
        name = _name_in(lines[j], c)
        if name or _f(lines[j]).startswith(("phu luc",)):
            break
    warnings = [] if name else ["metadata: signer name not found"]
    return {"name": name, "title": title, "authority": authority, "position": position}, warnings


def _prefixed_role(line: str, c: MetadataRules) -> Optional[str]:
    """Given a line, return the authority it prints ("KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"), if any."""
    m = c.signer_prefix.search(line)
    if not m:
        return None
    head = _upper_run_after(line, m.end())
    head = c.roles.get(_f(head)) or c.roles_compact.get(_letters(head)) or c.bodies_compact.get(_letters(head), head)
    return f"{m.group(1).rstrip('.')}. {head}".replace("/M.", "/M") if head else None


# ----------------------------------------------------------------------------- entry


def extract_metadata(lines: list[str], rules: MetadataRules) -> dict:
    """Given the (restored) text lines of a whole plan, return its metadata.

    Keys: number, doc_type, issuer, place, issued_date ("YYYY-MM-DD" or "YYYY-MM"), title,
    signer {name, title}, references [schema.Reference], warnings [str] (what was not found).
    """
    c = rules
    lines = [_clean_line(nfc(l), c) for part in (lines or []) for l in str(part).replace("\f", "\n").split("\n")]
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
        from .units_identity import UnitForms

        place = UnitForms.load().place_spelling(place) or place
    if issued is None:
        issued = _attached_date(squash_spaces(fold(" ".join(lines))), c)
    title, body_start = _title(lines, head_idx, c)
    opening = _opening(lines, body_start, c)
    issuer = _consistent_issuer(_combine_issuer(_header_issuer(header, c), _body_issuer(opening, c), c),
                                names, place, c)
    issuer = _listed_place_spelling(_cased_as_printed(issuer, opening), c)
    issuer = _issuer_identity(issuer, c, warnings, place)
    if doc_type is None and number:
        doc_type = _type_from_symbol(number, c)
    signer, signer_warnings = _signer(lines, c)
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


def _listed_place_spelling(issuer: Optional[str], c: MetadataRules) -> Optional[str]:
    """Given the issuer ("Ủy ban nhân dân xã Nam Dân": old OCR restored the place with other
    marks), return it with its place as the national list of administrative units spells it
    (``units_identity.UnitForms.place_spelling``), when the list has one such name at the
    issuer's level; a place the list spells as printed, or does not hold, is kept."""
    if not issuer:
        return issuer
    body, place = _place_of(issuer, c)
    if not place:
        return issuer
    from .units_identity import UnitForms

    forms = UnitForms.load()
    level_word = " ".join(w.lower() for w in body.split()[-len(_level_words_at_end(body, c)):])
    spelt = forms.place_spelling(place, forms.data.levels.get(level_word))
    return f"{body} {spelt}" if spelt and spelt != place else issuer


def _issuer_identity(issuer: Optional[str], c: MetadataRules, warnings: list[str],
                     dated_place: Optional[str] = None) -> Optional[str]:
    """Given the issuer as read from old OCR ("Ủy Bannhandan xã Thanh Liêm", "Sở Khoa Học và
    Công Nghệ tỉnh X", "Ủy ban nhân dân xã Quỳnh Lưu Kh Ủy ban nhân dân", "Ủy Ban Nhândân
    Xamyhoa") and the place of its date line, return it as its identity: the body as the unit registry names it when OCR
    damaged its words or their case (never another body: the registry's own repairs, which
    keep every identifying word), the level word, and the place of the national list. Words
    after a place the list holds are OCR debris of the next block: warned, not kept. An
    issuer the registry does not know, or already spelt so, is returned as it is."""
    if not issuer:
        return issuer
    from .units import UnitRegistry
    from .units_identity import UnitForms

    forms = UnitForms.load()
    body, place = _place_of(issuer, c)
    if place is None:
        body, place = _glued_level_place(issuer, forms, dated_place)
        if place is None:
            return issuer
    n_level = len(_level_words_at_end(body, c))
    head, level_words = body.split()[:-n_level], [w.lower() for w in body.split()[-n_level:]]
    level = forms.data.levels.get(" ".join(level_words))
    if level is None or not head:
        return issuer
    place, junk = _place_prefix(place, level, forms)
    if junk:
        warnings.append(f"metadata: words after the issuer's place left out (OCR debris): {junk!r}")
    reg = UnitRegistry.load()
    printed_head = " ".join(head)
    name = printed_head
    for probe in (f"{printed_head} {' '.join(level_words)}", printed_head):
        ref = reg.resolve(probe)
        # a repair the registry made, or the same letters in other spaces, marks or case
        same_letters = _letters(ref.name) == _letters(probe)
        if ref.known and (ref.match is not None or same_letters) and ref.name != probe:
            name = ref.name
            break
    if name == printed_head:
        name = _head_first_word_lost(printed_head, c) or name
    name_words = name.split()
    if [fold(w.lower()) for w in name_words[-len(level_words):]] == [fold(w) for w in level_words]:
        name_words = name_words[:-len(level_words)]  # the registry name prints the level itself
    return " ".join([*name_words, *level_words, place])


def _head_first_word_lost(body: str, c: MetadataRules) -> Optional[str]:
    """Given an issuer's body without its level ("Ban Nhân Dân": OCR lost the header's first
    word), return the one body of the issuer casing table that is it with one word more in
    front ("Ủy ban nhân dân"), else None."""
    words = _f(body).lower().split()
    if len(words) < 2:
        return None
    found = {v for k, v in c.casing.items() if len(k) == len(words) + 1 and list(k[1:]) == words}
    return found.pop() if len(found) == 1 else None


def _place_prefix(place: str, level: str, forms) -> tuple[str, str]:
    """Given the words read after the issuer's level word and its level, return (the place:
    the longest leading words the national list holds at that level, else all of them, the
    words after it)."""
    words = place.split()
    if forms.place_spelling(place, level) is not None:
        return forms.place_spelling(place, level), ""
    for n in range(len(words) - 1, 0, -1):
        spelt = forms.place_spelling(" ".join(words[:n]), level)
        if spelt is not None and len(spelt.split()) >= 2:
            return spelt, " ".join(words[n:])
    return place, ""


def _glued_level_place(issuer: str, forms, dated_place: Optional[str] = None) -> tuple[str, Optional[str]]:
    """Given an issuer whose last word glues its level word to its place ("... Xamyhoa",
    "... Xaphuluong") and the place of the plan's date line, return (the body with the level
    word, the place with those letters: the date line's, else the national list's one name
    at that level), else (issuer, None)."""
    words = issuer.split()
    if len(words) < 2:
        return issuer, None
    last = fold(nfc(words[-1])).lower()
    for level_word, level in sorted(forms.data.levels.items(), key=lambda kv: -len(kv[0])):
        lw = fold(nfc(level_word)).replace(" ", "")
        if last.startswith(lw) and len(last) > len(lw) + 3:
            spelt = forms.place_spelling_compact(last[len(lw):], level)
            if dated_place and _letters(dated_place) == last[len(lw):]:
                spelt = dated_place
            if spelt is not None:
                return " ".join([*words[:-1], level_word]), spelt
    return issuer, None


def _cased_as_printed(issuer: Optional[str], opening: str) -> Optional[str]:
    """Given the issuer (maybe name-cased from the header's capitals: "Sở Khoa Học và Công
    Nghệ") and the opening paragraphs, return it with the casing of its longest leading part
    the opening prints ("Sở Khoa học và Công nghệ xây dựng Kế hoạch ...")."""
    if not issuer:
        return issuer
    words, folded = issuer.split(), fold(opening)
    for n in range(len(words), 1, -1):
        part = " ".join(words[:n])
        at = folded.find(fold(part))
        printed = opening[at:at + len(part)] if at >= 0 else ""
        # the same letters and marks in other case only: OCR's slips in the opening
        # ("Mối trường") must not replace what the header printed right
        if printed[:1].isupper() and printed.lower() == part.lower():
            return " ".join([printed, *words[n:]])
    return issuer


def _type_from_symbol(number: str, c: MetadataRules) -> Optional[str]:
    """Given "169/KH-UBND", return "Kế hoạch" (the type its symbol names)."""
    parts = _RX["symbol_parts"].split(number)
    for kind, symbols in c.r.doc_types.items():
        if any(s in parts for s in symbols):
            return kind
    return None
