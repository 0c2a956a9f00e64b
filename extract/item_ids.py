"""Stable ids of documents and items: what corrections and links attach to.

An item's id is a hash of its place in the plan: its kind, appendix, section and ordinal,
folded (no case, marks, spacing or punctuation differences, and no one-character words in
the heading: restoration or another OCR run that reads a heading with other marks or a speck
before it gives the same id). An item without an ordinal is
placed by the first words of its text instead. Two items of one place (a plan that numbers
'1, 2, 3' twice under one heading) are told apart by their order: the second gets '-2'.

    assign_item_ids(doc)            # every target and task gets .id
    doc.doc_id = document_id_of(doc)

A document's id is its plan's identity (``plan_id``, shared by the plan's copies) where the
metadata gave one, else a hash of the source file's content.
"""
from __future__ import annotations

import hashlib
import re
from typing import Iterable, Optional

from ..core.folding import fold, nfc
from ..schema import Document
from ..schema.models import Item

ID_DIGITS = 10
FINGERPRINT_WORDS = 12  # words of the text that place an item without an ordinal
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def folded_key(text: Optional[str]) -> str:
    """Given a heading, ordinal or text, return it folded to words of letters and digits."""
    return " ".join(_NOT_WORD.sub(" ", fold(nfc(text or ""))).split())


def text_fingerprint(text: str, words: int = FINGERPRINT_WORDS) -> str:
    """Given an item's text, return its first words folded: what places an item that has no
    ordinal, and what re-attaches a correction whose item id changed."""
    return " ".join(folded_key(text).split()[:words])


def item_path(kind: str, item: Item) -> str:
    """Given an item's kind ('task', 'target') and the item, return the folded path its id
    hashes: kind, appendix, section, then the ordinal or (none printed) the text's first words."""
    ordinal = folded_key(item.ordinal)
    leaf = f"#{ordinal}" if ordinal else f"~{text_fingerprint(item.text)}"
    return "|".join((kind, folded_key(item.appendix), heading_key(item.section), leaf))


def heading_key(text: Optional[str]) -> str:
    """Given a section heading, return its folded words of two characters or more: a speck
    OCR read before a heading ('H„I Phát triển ...') does not move its items' ids."""
    return " ".join(w for w in folded_key(text).split() if len(w) > 1)


def path_to_id(kind: str, path: str) -> str:
    return f"{kind}-" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:ID_DIGITS]


def items_to_ids(kind: str, items: Iterable[Item]) -> list[str]:
    """Given items of one kind in document order, return their ids (a repeated path gets
    '-2', '-3', ... in order)."""
    seen: dict[str, int] = {}
    out = []
    for item in items:
        base = path_to_id(kind, item_path(kind, item))
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


def assign_item_ids(doc: Document) -> None:
    """Set the id of every target and task of the document (added items keep theirs)."""
    for kind, items in (("target", doc.targets), ("task", doc.tasks)):
        extracted = [it for it in items if not (it.review and it.review.added)]
        for item, item_id in zip(extracted, items_to_ids(kind, extracted)):
            item.id = item_id


def document_id_of(doc: Document) -> Optional[str]:
    """Given a document, return its stable id: the plan id, else 'doc-' and 16 hex digits
    of the source's SHA-256 (None when neither is known)."""
    if doc.plan_id:
        return doc.plan_id
    return f"doc-{doc.source.sha256[:16]}" if doc.source.sha256 else None
