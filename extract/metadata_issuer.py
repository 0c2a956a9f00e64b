"""The issuer of a plan: the body its header prints ("ỦY BAN NHÂN DÂN / XÃ CHỢ ĐỒN", cased
as the rules case it, its superior's place added when the header prints it), the body its
opening names ("Ủy ban nhân dân xã ... ban hành"), the two combined, and the issuer read as
its identity (the registry's name of the body, its level word, its place as the national list
spells it) when OCR glued, broke or recased its words."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from rapidfuzz import fuzz

from ..core.folding import fold, nfc, squash_spaces
from .rules.metadata import MetadataRules, fold_phrase as _f, letters_of as _letters

if TYPE_CHECKING:
    from .units import UnitRegistry
    from .units_identity import UnitForms

# The module's character-level regexes (phrases live in metadata.yaml).
_RX = {
    "letters": re.compile(r"[^\W\d_]+"),
}


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


def _damaged_head(line: str, c: MetadataRules) -> str:
    """Given a header line, return it with its first word in capitals when that word is a
    one-word body head (issuer_heads: "Sở", "Bộ", "Ban", "Phòng") that OCR printed with other
    characters (header_head_confusions: "$O", "$0") or restoration in lower case ("sở"),
    before a word in capitals; else the line unchanged."""
    words = line.split()
    at = next((k for k, w in enumerate(words) if any(ch.isalnum() or ch in c.r.header_head_confusions
                                                     for ch in w)), None)
    if at is None or at + 1 >= len(words) or not (words[at + 1].isupper() and words[at + 1].isalpha()):
        return line
    token = words[at].strip("“”\"'‘’-_.,:;")
    if not (token.islower() or any(ch in c.r.header_head_confusions for ch in token)):
        return line  # a word printed whole ("Số:", "SỞ") is what it says
    read = "".join(c.r.header_head_confusions.get(ch, ch) for ch in token).upper()
    if not read.isalpha() or len(read.split()) != 1 or _f(read) not in c.heads:
        return line
    return " ".join(words[:at] + [read] + words[at + 1:])


def header_issuer(lines: list[str], c: MetadataRules) -> Optional[str]:
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
        kept = _damaged_head(line, c)
        for n in noise:
            idx = _noise_at(_f(kept), n, c.r.header_noise_min_score)
            if idx is not None:
                # cut the noise and what follows it on the line (the right-hand block)
                kept = _cut_folded(kept, idx)
        caps = " ".join(_capital_words(_RX["letters"].findall(kept), c.levels))
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
    if place_of(issuer, c)[1] is not None:
        return issuer
    for superior in reversed(bodies[:-1]):
        level_body, place = place_of(superior, c)
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


def _capital_words(words: list[str], levels: frozenset[str] = frozenset()) -> list[str]:
    """Given a header line's words, return those in capitals: a one-letter word only between
    two capital words ("SỞ Y TẾ"), a lone letter elsewhere being an OCR speck; and, in
    capitals, a level word restoration wrote in lower case right before capital words ("xã
    LONG PHÚ": without it the issuer loses its level)."""
    def caps(k: int) -> bool:
        return 0 <= k < len(words) and words[k].isupper() and len(words[k]) > 1

    def level_before_caps(k: int) -> bool:
        return words[k].islower() and _f(words[k]) in levels and caps(k + 1)

    return [w.upper() if level_before_caps(k) else w for k, w in enumerate(words)
            if (w.isupper() and (len(w) > 1 or (caps(k - 1) and caps(k + 1)))) or level_before_caps(k)]


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


def strip_person(text: str, c: MetadataRules) -> str:
    """Given "Chủ tịch Ủy ban nhân dân tỉnh Sơn La", return "Ủy ban nhân dân tỉnh Sơn La"."""
    key = _f(text)
    for t in c.person_titles:
        if key.startswith(t + " "):
            return squash_spaces(text)[len(t) + 1:].strip()
    return text.strip()


def body_issuer(opening: str, c: MetadataRules) -> Optional[str]:
    """Given the opening paragraphs, return the body in "<body> ban hành Kế hoạch ...", if any."""
    folded = fold(opening)
    found = None
    for m in c.issues_verb.finditer(folded):
        clause_start = max(folded.rfind(p, 0, m.start()) for p in ",;.:") + 1
        clause = strip_person(opening[clause_start:m.start()], c)
        key = _f(clause)
        if key and key.startswith(c.heads) and len(key.split()) <= 14:
            found = clause
    return squash_spaces(found) if found else None


def place_of(issuer: str, c: MetadataRules) -> tuple[str, Optional[str]]:
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


def combine_issuer(header: Optional[str], body: Optional[str], c: MetadataRules) -> Optional[str]:
    """Given the header's and the opening's issuer, return the plan's issuer.

    The header names the body; the opening may name the organ of it that issued the plan
    ("Ban Thường vụ Đảng ủy xã" of "ĐẢNG ỦY XÃ TÂN KỲ"): then that organ, with the place.
    """
    if not body:
        return header
    if not header:
        return body
    h_body, place = place_of(header, c)
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


def listed_place_spelling(issuer: Optional[str], c: MetadataRules, forms: UnitForms) -> Optional[str]:
    """Given the issuer ("Ủy ban nhân dân xã Nam Dân": old OCR restored the place with other
    marks), return it with its place as the national list of administrative units spells it
    (``units_identity.UnitForms.place_spelling``), when the list has one such name at the
    issuer's level; a place the list spells as printed, or does not hold, is kept."""
    if not issuer:
        return issuer
    body, place = place_of(issuer, c)
    if not place:
        return issuer
    level_word = " ".join(w.lower() for w in body.split()[-len(_level_words_at_end(body, c)):])
    spelt = forms.place_spelling(place, forms.data.levels.get(level_word))
    return f"{body} {spelt}" if spelt and spelt != place else issuer


def issuer_identity(issuer: Optional[str], c: MetadataRules, reg: UnitRegistry, warnings: list[str],
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
    forms = reg.forms
    body, place = place_of(issuer, c)
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


def cased_as_printed(issuer: Optional[str], opening: str) -> Optional[str]:
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
