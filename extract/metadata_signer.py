"""The signer of a plan, read from its signature block: the authority lines ("TM. ỦY BAN
NHÂN DÂN", "KT. CHỦ TỊCH", also when OCR lost the prefix beside "Nơi nhận:"), the signer's
position and name (a family name as the name list spells it; a name whose marks the print did
not carry, respelt by the list of middle and given names)."""
from __future__ import annotations

import re
from typing import Optional

from rapidfuzz.distance import Levenshtein

from ..core.folding import fold, nfc, squash_spaces
from .rules.metadata import MetadataRules, fold_phrase as _f, letters_of as _letters

# The module's character-level regexes (phrases live in metadata.yaml).
_RX = {
    "letters": re.compile(r"[^\W\d_]+"),
    "segments": re.compile(r"[^\w\s]|_"),          # a line's punctuation-separated segments
    "glued": re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])"),  # a hyphen between two letters
}


def _upper_run_after(line: str, start: int) -> str:
    """Given a line and a position, return the run of upper-case words starting there."""
    words = []
    for w in line[start:].split():
        if not w.isupper():
            break
        words.append(w)
    return squash_spaces(" ".join(words)).strip(" -–,;.:")


def _damaged_recipients(line: str, c: MetadataRules) -> bool:
    """Whether a line starts with "Nơi nhận:" with one letter of it misread: its first
    letters one edit from the phrase's, a colon within the next few characters."""
    head = line.lstrip(" \t-_~\"'‘“.,")[:12]
    if ":" not in head:
        return False
    letters = _letters(head.split(":", 1)[0])
    return len(letters) >= 6 and Levenshtein.distance(letters, c.recipients_letters) <= 1


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


def _capitalised(w: str) -> bool:
    return w[:1].isupper() and (w[1:].islower() or len(w) == 1)


def _listed_rest(words: list[str], c: MetadataRules) -> bool:
    """Whether a name's words after the family name are the list's middle names and a given
    name ("... Thị Thu", "... văn Khoa")."""
    def key(w: str) -> str:
        return fold(nfc(w)).lower()

    return (len(words) >= 3 and all(key(w) in c.middle_names for w in words[1:-1])
            and key(words[-1]) in c.given_names)


def _damaged_surname(word: str, c: MetadataRules) -> Optional[str]:
    """The family name of the list that begins with the same letter as ``word`` and is one
    letter away from it, folded ("Bãi" -> "Bùi", "Dé" -> "Đỗ"): the first such one, the list
    going from the most common family names ("Bùi" before "Bàn"), or None."""
    first = fold(word[:1]).lower()  # OCR without Vietnamese letters prints "Đ" as "D"
    return next((nfc(s) for s in c.r.surnames if fold(nfc(s)[:1]).lower() == first
                 and Levenshtein.distance(fold(nfc(s)).lower(), fold(word).lower()) == 1), None)


def _name_in(line: str, c: MetadataRules, exact: bool = False) -> Optional[tuple[str, Optional[str]]]:
    """Given a line, return a person's name printed in it as a segment of its own
    ("- Báo và PTTH Sơn La; Nguyễn Thành Công", "Nguyễn Thành Công:_ Phụ lucc"), if any,
    with a warning when its family name was repaired. A family name OCR or restoration
    printed with other marks ("Lệ Hoàng Nam", "Dang Văn Lực") is the one family name of the
    list it folds to, spelt as the list spells it. Where the rest of the name is the list's
    middle and given names (a middle name may be printed in lower case: "Đặng văn Khoa"), a
    family name OCR damaged by one letter ("Bãi Thị Thu", "DS Mạnh Cường") is the most common
    family name of the list with its first letter that close to it, and a warning names both.
    Where the text is ``exact`` (the print itself: a text layer or Word file, nothing OCR'd or
    restored), the name is kept as printed: a family name the list spells otherwise or lacks
    ("Vì", "Lù", "Lèo" of the northern peoples) is the signer's own, not damage."""
    # a hyphen OCR read between two words of a name ("Bãi Thị-Thu", "Dé-Manh Cường") parts them
    for segment in reversed(_RX["segments"].split(_RX["glued"].sub(" ", line))):
        words = _without_edge_specks(segment.split())
        if not 2 <= len(words) <= 5:
            continue
        listed = _listed_rest(words, c)
        if not (all(_capitalised(w) for w in words) or (
                listed and words[0][:1].isupper() and words[0].isalpha() and _capitalised(words[-1])
                and all(w.islower() or _capitalised(w) for w in words[1:-1]))):
            continue
        if words[0] in c.surnames:
            return " ".join(words), None
        spelt = c.surnames_folded.get(fold(words[0]))
        if spelt is not None:
            return " ".join([words[0] if exact else spelt, *words[1:]]), None
        repaired = _damaged_surname(words[0], c) if listed else None
        if repaired is not None and exact:
            return " ".join(words), None   # printed so: a family name the list lacks
        if repaired is not None:
            return " ".join([repaired, *words[1:]]), \
                f"metadata: signer's family name {words[0]!r} read as {repaired!r} (one letter off)"
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


def lines_to_signer(lines: list[str], c: MetadataRules, exact: bool = False) -> tuple[dict, list[str]]:
    """Given all lines (``exact``: the print itself, see _name_in), return ({name, title},
    warnings) from the signature block."""
    recipients = next((i for i, l in enumerate(lines) if c.recipients.match(_f(l))), None)
    if recipients is None:  # OCR damaged its letters ("NoinhG@n:", "_Noinhgn:")
        recipients = next((i for i, l in enumerate(lines) if _damaged_recipients(l, c)), None)
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
            title, at = f"{c.r.signer_on_behalf_prefix} {body}", recipients
        else:
            role = _trailing_role(lines[recipients], c)
            deputy = next((j for j in range(recipients + 1, min(len(lines), recipients + 6))
                           if role and _trailing_role(lines[j], c) == f"{c.r.signer_deputy_word} {role}"), None)
            if deputy is not None:
                title, at = f"{c.r.signer_for_head_prefix} {role}", recipients
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
    name, repair = None, None
    for j in range(last + 1, min(len(lines), last + c.r.signer_search_lines)):
        name, repair = _name_in(lines[j], c, exact) or (None, None)
        if name or _f(lines[j]).startswith(c.block_ends):
            break
    warnings = [repair] if repair else [] if name else ["metadata: signer name not found"]
    return {"name": name, "title": title, "authority": authority, "position": position}, warnings


def _prefixed_role(line: str, c: MetadataRules) -> Optional[str]:
    """Given a line, return the authority it prints ("KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"), if any."""
    m = c.signer_prefix.search(line)
    if not m:
        return None
    head = _upper_run_after(line, m.end())
    head = c.roles.get(_f(head)) or c.roles_compact.get(_letters(head)) or c.bodies_compact.get(_letters(head), head)
    return f"{m.group(1).rstrip('.')}. {head}".replace("/M.", "/M") if head else None
