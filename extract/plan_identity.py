"""One plan, many copies: the plan's identity and which copy of it to count.

The same plan is read from its born-digital PDF, its scan and its old OCR text; each copy is
a record. ``plan_id`` is shared by every copy: a hash of the plan's number, issuer and issue
date as the metadata reads them, folded (no case, marks or spacing differences). ``plan_copy``
says what kind of copy a record is and how well it was read; the primary copy of a plan is
the best kind (born digital, then a scan or image, then old OCR text), then the best read.
Databases keep every copy; views, exports and the calendar count each plan once.

    doc.plan_id = plan_id_of(doc.metadata.number, doc.metadata.issuer, doc.metadata.issued_date)
    doc.plan_copy = copy_of(doc)
    primaries = primary_copies(docs)   # one Document per plan, in input order
"""
from __future__ import annotations

import hashlib
import re
from typing import Iterable, Optional

from ..core.folding import fold, nfc
from ..schema import Document
from ..schema.models import PlanCopy

# kinds of copy, best first: the rank a primary copy is chosen by
COPY_RANK = {"born-digital": 0, "scan": 1, "old-ocr-text": 2}


def _norm(value: Optional[str]) -> str:
    return re.sub(r"[\s.]+", "", fold(nfc(value or "")))


def plan_id_of(number: Optional[str], issuer: Optional[str], issued_date: Optional[str]) -> Optional[str]:
    """Given a plan's number, issuer and issue date as read, return its id ("plan-" and 16 hex
    digits), the same for every copy that reads them alike; None when none of them was read."""
    parts = [_norm(number), _norm(issuer), (issued_date or "").strip()]
    if not any(parts):
        return None
    return "plan-" + hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]


def copy_of(doc: Document) -> PlanCopy:
    """Given a read document, return what kind of copy it is and how well it was read (0-1:
    text-layer pages 1, OCR pages their mean confidence, old OCR text the share of tokens
    restoration left unchanged)."""
    if doc.source.kind == "text":
        kind = "old-ocr-text"
    elif doc.pages and all(p.method == "text" for p in doc.pages):
        kind = "born-digital"
    else:
        kind = "scan"
    scores = []
    for p in doc.pages:
        if p.error:
            scores.append(0.0)
        elif kind == "old-ocr-text" or (p.method == "ocr" and p.confidence is None):
            tokens = max(1, len(p.raw_text.split()))
            scores.append(max(0.0, 1 - p.tokens_changed / tokens))
        elif p.method == "text":
            scores.append(1.0)
        else:
            scores.append(max(0.0, min(1.0, p.confidence / 100)))
    quality = round(sum(scores) / len(scores), 4) if scores else 0.0
    return PlanCopy(kind=kind, rank=COPY_RANK[kind], quality=quality)


def copy_order(doc: Document) -> tuple:
    """The sort key of a copy: best kind, then best read, then most items, then its path."""
    c = doc.plan_copy or copy_of(doc)
    return (c.rank, -c.quality, -(len(doc.tasks) + len(doc.targets)), doc.source.path)


def primary_copies(docs: Iterable[Document]) -> list[Document]:
    """Given documents, return one per plan (the primary copy of each plan id; a document
    without a plan id counts alone), in the order each plan first appears."""
    best: dict[str, Document] = {}
    order: list[str] = []
    for i, doc in enumerate(docs):
        key = doc.plan_id or f"#{i}"
        if key not in best:
            order.append(key)
            best[key] = doc
        elif copy_order(doc) < copy_order(best[key]):
            best[key] = doc
    return [best[k] for k in order]
