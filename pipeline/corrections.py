"""Reviewers' corrections: kept beside the records, applied again on every run.

A record is what extraction read; people check it against the page (``kehoach review``) and
correct it. Their corrections live in a store beside the records, one human-readable JSON
file per record, ``OUT/corrections/<record name>.json``, keyed by item id (extract.item_ids)
and field, each with the corrected value, who, when, and the value it replaced::

    {"format": "kehoach-corrections/1", "record": "001-son-la", "status": "in-review",
     "items": {"task-3f9a1c0b2e": {"kind": "task", "ordinal": "a", "text": "Xây dựng ...",
        "accepted": {"by": "lan", "at": "2026-12-07T15:30:00+00:00"},
        "fields": {"lead_units": {"value": [{"raw": "Sở Nội vụ", ...}],
                                  "replaced": [{"raw": "Sở Khoa học và Công nghệ", ...}],
                                  "by": "lan", "at": "..."}}},
        "task-0b1c...": {"kind": "task", "text": "...", "deleted": {"by": "lan", "at": "..."}}},
     "added": [{"id": "task-added-5e2f0a1b", "kind": "task", "after": "task-3f9a1c0b2e",
                "item": {"text": "...", ...}, "by": "lan", "at": "..."}],
     "document": {"number": {"value": "170/KH-UBND", "replaced": "17O/KH-UBND", ...}}}

``document`` corrects the record's own metadata (DOCUMENT_FIELDS); the record then lists
them in ``doc.review.corrected`` with the values extraction gave in ``doc.review.extracted``.

Every run that writes a record (``ingest``, ``ingest --force``, a record made again after an
upgrade, ``extract``) applies the store after extraction (``apply_store``). The record then
says what was corrected: ``item.review`` (accepted, added, the corrected fields and the
values extraction gave for them) and ``doc.review`` (status, counts, deleted items, and the
corrections whose item this extraction no longer has: reported, never dropped, and kept in
the store). A correction whose item id changed (a heading read otherwise) is re-attached to
the one item of that kind whose text starts alike.

Applying is exact and reversible: ``strip_corrections`` gives back the record as extracted,
so a store can be changed and applied again to a record that holds earlier corrections.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..core.errors import KehoachError
from ..extract.item_ids import folded_key
from ..schema import Document, Metadata, Target, Task
from ..schema.models import (
    CorrectableField, DeletedItem, DocumentField, DocumentReview, Item, ItemReview,
    UnmatchedCorrection,
)
from .records import write_json_atomic

STORE_FORMAT = "kehoach-corrections/1"
STORE_DIR = "corrections"
STAGE = "review"  # the stage name of warnings about corrections
ItemKind = Literal["task", "target"]
FIELDS: tuple[str, ...] = ("text", "ordinal", "section", "appendix", "deadline", "lead_units",
                           "cooperating_units", "notes", "values")
# the document's own metadata a reviewer can correct (the store's "document" entries)
DOCUMENT_FIELDS: tuple[str, ...] = ("number", "doc_type", "issuer", "place", "issued_date",
                                    "title", "signer")
REATTACH_MIN_WORDS = 4  # a text this short is too weak to re-attach by
SAME_ID_MIN_SIMILARITY = 70  # folded text ratio: below it, an id names another item now
REATTACH_MIN_SIMILARITY = 85  # folded text ratio an item needs to take a lost item's corrections
REATTACH_MARGIN = 5  # ... and by how much it must beat the next most alike item


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Stamp(_Model):
    by: str
    at: str


class FieldCorrection(_Model):
    value: Any = Field(..., description="the corrected value, in the record's own form")
    replaced: Any = Field(None, description="the value extraction gave when it was corrected")
    by: str
    at: str


class ItemCorrections(_Model):
    kind: ItemKind
    ordinal: Optional[str] = None
    text: str = Field("", description="the item's text as extracted, when first reviewed")
    accepted: Optional[Stamp] = None
    deleted: Optional[Stamp] = None
    fields: dict[CorrectableField, FieldCorrection] = Field(default_factory=dict)


class AddedItem(_Model):
    id: str
    kind: ItemKind
    after: Optional[str] = Field(None, description="the id of the item it follows, if any")
    item: dict[str, Any]
    by: str
    at: str


class CorrectionStore(_Model):
    format: Literal["kehoach-corrections/1"] = STORE_FORMAT
    record: str
    doc_id: Optional[str] = None
    source: Optional[str] = None
    status: Literal["in-review", "reviewed"] = "in-review"
    reviewed: Optional[Stamp] = None
    items: dict[str, ItemCorrections] = Field(default_factory=dict)
    added: list[AddedItem] = Field(default_factory=list)
    document: dict[DocumentField, FieldCorrection] = Field(
        default_factory=dict, description="the document's metadata corrected (number, issuer...)")

    def corrections(self) -> int:
        """Fields corrected (of items and of the document), items deleted and items added."""
        return (sum(len(c.fields) + (c.deleted is not None) for c in self.items.values())
                + len(self.added) + len(self.document))


class StoreError(KehoachError):
    code = "corrections-store"


def now() -> str:
    """The time now, ISO 8601 with the local offset, to the second."""
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def store_path(records_dir: Path, name: str) -> Path:
    """The corrections file of the record ``records_dir/<name>.json``."""
    return Path(records_dir) / STORE_DIR / f"{name}.json"


def record_store_path(record: Path) -> Path:
    return store_path(record.parent, record.name.removesuffix(".json"))


@contextmanager
def store_lock(records_dir: Path, create: bool = False) -> Iterator[None]:
    """Hold the folder's corrections lock (an flock on ``corrections/.lock``) while a store
    is read and its record written: a review write and a batch writing the same record at
    once cannot leave a record without the newest correction. No-op for a folder without
    corrections (unless ``create``: the review application makes the folder)."""
    folder = Path(records_dir) / STORE_DIR
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        yield
        return
    import fcntl

    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_store(path: Path) -> Optional[CorrectionStore]:
    """The store in ``path``, None when there is none (StoreError when it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read the corrections {path}: {exc.strerror or exc}") from exc
    try:
        return CorrectionStore.model_validate_json(text)
    except ValidationError as exc:
        first = str(exc).splitlines()
        raise StoreError(f"the corrections {path} are not valid: {' '.join(first[:3])}",
                         hint="fix the file by hand (it is JSON); it was left as it is") from exc


def write_store(path: Path, store: CorrectionStore) -> None:
    """Write the store atomically, keys sorted and one value a line (readable diffs)."""
    data = json.dumps(store.model_dump(mode="json", exclude_none=True), ensure_ascii=False,
                      indent=1, sort_keys=True)
    write_json_atomic(path, data + "\n")


# --- values -----------------------------------------------------------------------------

def _lists(doc: Document) -> dict[str, list]:
    return {"task": doc.tasks, "target": doc.targets}


def _item_class(kind: str):
    return Task if kind == "task" else Target


def dump_field(item: Item, name: str) -> Any:
    """The JSON form of one field of an item (None when it has no such field)."""
    if not hasattr(item, name):
        return None
    value = getattr(item, name)
    if isinstance(value, list):
        return [v.model_dump(mode="json") if hasattr(v, "model_dump") else v for v in value]
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def set_field(item: Item, name: str, value: Any) -> None:
    """Set one field of an item from its JSON form, validated by the record's model."""
    checked = type(item).model_validate({**item.model_dump(mode="json"), name: value})
    setattr(item, name, getattr(checked, name))


def dump_document_field(doc: Document, name: str) -> Any:
    """The JSON form of one metadata field of a document."""
    value = getattr(doc.metadata, name)
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def set_document_field(doc: Document, name: str, value: Any) -> None:
    """Set one metadata field of a document from its JSON form, validated by the field's
    type in the record's model (ValidationError when it cannot hold it)."""
    from pydantic import TypeAdapter

    if name not in DOCUMENT_FIELDS:
        raise StoreError(f"{name} is not a metadata field of a document that can be corrected")
    setattr(doc.metadata, name, TypeAdapter(Metadata.model_fields[name].annotation).validate_python(value))


# --- applying and stripping -------------------------------------------------------------

def strip_corrections(doc: Document) -> Document:
    """Given a record, return a copy as extraction left it: added items out, deleted items
    back in their places, corrected fields back to their extracted values, no review state."""
    out = doc.model_copy(deep=True)
    deleted = out.review.deleted if out.review else []
    for name in out.review.corrected if out.review else []:
        set_document_field(out, name, out.review.extracted.get(name))
    for kind, items in _lists(out).items():
        kept = []
        for item in items:
            r = item.review
            if r and r.added:
                continue
            if r:
                for name in r.corrected:
                    set_field(item, name, r.extracted.get(name))
                item.review = None
            kept.append(item)
        for d in sorted((d for d in deleted if d.kind == kind), key=lambda d: d.position):
            kept.insert(min(d.position, len(kept)), _item_class(kind).model_validate(d.item))
        items[:] = kept
    out.review = None
    out.warnings = [w for w in out.warnings if w.stage != STAGE]
    return out


def match_entries(store: CorrectionStore, lists: dict[str, list]) -> dict[str, Item]:
    """Given a store and the record's items by kind, return the item each store entry is
    for. By id first, when the item's text is still like the text the entry was made on (an
    id that now names another item, its ordinal read otherwise, is not trusted); then, for
    the entries left, the one item of that kind not matched yet whose text is most alike
    (REATTACH_MIN_SIMILARITY, and clearly more alike than the next)."""
    from rapidfuzz import fuzz

    found: dict[str, Item] = {}
    used: set[int] = set()
    left = []
    for item_id, entry in sorted(store.items.items()):
        item = next((it for it in lists[entry.kind] if it.id == item_id), None)
        if item is not None and (not entry.text or _similarity(fuzz, entry.text, item.text) >= SAME_ID_MIN_SIMILARITY):
            found[item_id] = item
            used.add(id(item))
        else:
            left.append((item_id, entry))
    for item_id, entry in left:
        if len(folded_key(entry.text).split()) < REATTACH_MIN_WORDS:
            continue
        scored = sorted(((_similarity(fuzz, entry.text, it.text), i) for i, it in enumerate(lists[entry.kind])
                         if id(it) not in used), reverse=True)
        if not scored or scored[0][0] < REATTACH_MIN_SIMILARITY:
            continue
        if len(scored) > 1 and scored[1][0] > scored[0][0] - REATTACH_MARGIN:
            continue  # two items as alike: no guess
        item = lists[entry.kind][scored[0][1]]
        found[item_id] = item
        used.add(id(item))
    return found


def _similarity(fuzz, a: str, b: str) -> float:
    return fuzz.ratio(folded_key(a), folded_key(b))


def _review_of(item: Item) -> ItemReview:
    if item.review is None:
        item.review = ItemReview()
    return item.review


def _stamp(review: ItemReview, stamp: Stamp) -> None:
    if review.at is None or stamp.at >= review.at:
        review.by, review.at = stamp.by, stamp.at


def apply_corrections(doc: Document, store: CorrectionStore, store_name: str) -> Document:
    """Given a record (as extracted, or with earlier corrections) and a store, return the
    record with the store's corrections applied and its review state filled."""
    out = strip_corrections(doc)
    review = DocumentReview(store=store_name)
    lists = _lists(out)
    matched = match_entries(store, lists)
    positions = {kind: {id(it): i for i, it in enumerate(items)} for kind, items in lists.items()}
    to_delete: list[tuple[str, Item, Stamp]] = []
    applied = 0   # fields set, items deleted, items added (not those whose item is gone)
    for item_id, entry in sorted(store.items.items()):
        item = matched.get(item_id)
        if item is None:
            whats = (["accept"] if entry.accepted else []) + (["delete"] if entry.deleted else [])
            for what in whats + list(entry.fields):
                review.unmatched.append(UnmatchedCorrection(
                    item_id=item_id, kind=entry.kind, what=what, text=entry.text))
            out.warn(STAGE, f"{len(whats) + len(entry.fields)} correction(s) of {entry.kind} "
                     f"{item_id} ({entry.ordinal or '-'}: {entry.text[:60]!r}) not applied: this "
                     "extraction has no such item; they stay in the store", source=store_name)
            continue
        if item.id != item_id:
            item.warnings.append(f"review: corrections made to {item_id} re-attached to this "
                                 "item (its text is alike; its heading or ordinal was read otherwise)")
        if entry.deleted:
            to_delete.append((entry.kind, item, entry.deleted))
            continue
        r = _review_of(item)
        if entry.accepted:
            r.accepted = True
            _stamp(r, entry.accepted)
        for name, fc in entry.fields.items():
            current = dump_field(item, name)
            if name in r.corrected:
                continue
            r.extracted[name] = current
            try:
                set_field(item, name, fc.value)
            except ValidationError as exc:
                r.extracted.pop(name)
                out.warn(STAGE, f"correction of {name} of {item_id} not applied: the value is "
                         f"not valid ({str(exc).splitlines()[0]})", source=store_name)
                review.unmatched.append(UnmatchedCorrection(
                    item_id=item_id, kind=entry.kind, what=name, text=entry.text))
                continue
            r.corrected.append(name)
            applied += 1
            _stamp(r, fc)
            if fc.replaced is not None and current != fc.replaced:
                item.warnings.append(f"review: {name} was corrected when extraction read "
                                     f"{_short(fc.replaced)}; it now reads {_short(current)}")
    for kind, item, stamp in to_delete:
        lists[kind].remove(item)
        applied += 1
        review.deleted.append(DeletedItem(kind=kind, position=positions[kind][id(item)],
                                          item=item.model_dump(mode="json"),
                                          by=stamp.by, at=stamp.at))
    for added in store.added:
        try:
            item = _item_class(added.kind).model_validate({**added.item, "id": added.id})
        except ValidationError as exc:
            out.warn(STAGE, f"added {added.kind} {added.id} not applied: not a valid item "
                     f"({str(exc).splitlines()[0]})", source=store_name)
            review.unmatched.append(UnmatchedCorrection(
                item_id=added.id, kind=added.kind, what="add", text=str(added.item.get("text", ""))))
            continue
        item.review = ItemReview(added=True, by=added.by, at=added.at)
        items = lists[added.kind]
        at = next((i + 1 for i, it in enumerate(items) if added.after and it.id == added.after),
                  len(items))
        # after the item it follows and after items added after it before
        while at < len(items) and items[at].review and items[at].review.added:
            at += 1
        items.insert(at, item)
        applied += 1
    for name, fc in sorted(store.document.items()):
        current = dump_document_field(out, name)
        try:
            set_document_field(out, name, fc.value)
        except (ValidationError, StoreError) as exc:
            out.warn(STAGE, f"correction of the document's {name} not applied: the value is "
                     f"not valid ({str(exc).splitlines()[0]})", source=store_name)
            continue
        review.corrected.append(name)
        review.extracted[name] = current
        applied += 1
        if fc.replaced is not None and current != fc.replaced:
            out.warn(STAGE, f"the document's {name} was corrected when extraction read "
                     f"{_short(fc.replaced)}; it now reads {_short(current)}", source=store_name)
    all_items = out.tasks + out.targets
    review.items = len(all_items)
    review.items_reviewed = sum(it.reviewed for it in all_items)
    review.corrections = applied
    review.status = ("reviewed" if store.status == "reviewed" else
                     "in-review" if store.items or store.added or store.document else "not-reviewed")
    stamps = [s for s in ([store.reviewed] + [it.review and Stamp(by=it.review.by, at=it.review.at)
                                              for it in all_items if it.review and it.review.at])
              if s]
    if stamps:
        last = max(stamps, key=lambda s: s.at)
        review.by, review.at = last.by, last.at
    out.review = review
    return out


def _short(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("raw") or value.get("name") or value
    if isinstance(value, list):
        value = "; ".join(str(v.get("name") or v.get("raw")) if isinstance(v, dict) else str(v)
                          for v in value)
    return repr(str(value)[:80]) if value not in (None, "") else "nothing"


def apply_store(doc: Document, records_dir: Path, name: str) -> Document:
    """Given a freshly made record and where it is written (folder, record name), return it
    with the folder's corrections for it applied; unchanged when there are none. A store that
    cannot be read leaves the record as extracted, with a warning saying so."""
    from ..extract.item_ids import document_id_of

    doc.doc_id = doc.doc_id or document_id_of(doc)
    path = store_path(records_dir, name)
    try:
        store = read_store(path)
    except StoreError as exc:
        out = strip_corrections(doc)
        out.warn(STAGE, f"corrections not applied: {exc}")
        return out
    if store is None:
        return strip_corrections(doc) if doc.review or _any_review(doc) else doc
    return apply_corrections(doc, store, f"{STORE_DIR}/{path.name}")


def _any_review(doc: Document) -> bool:
    return any(it.review for it in doc.tasks + doc.targets)


# --- changing a store (the review application, the Python API) --------------------------

def new_store(doc: Document, name: str) -> CorrectionStore:
    return CorrectionStore(record=name, doc_id=doc.doc_id, source=doc.source.path)


def _entry(store: CorrectionStore, kind: str, item: Item) -> ItemCorrections:
    if item.id is None:
        raise StoreError("this item has no id: re-extract the record first (kehoach extract)")
    entry = store.items.get(item.id)
    if entry is None:
        entry = store.items[item.id] = ItemCorrections(kind=kind, ordinal=item.ordinal, text=item.text)
    return entry


def accept_item(store: CorrectionStore, kind: str, item: Item, by: str) -> None:
    """The reviewer checked the item (as extracted or added) against the page."""
    if item.review and item.review.added:
        return
    _entry(store, kind, item).accepted = Stamp(by=by, at=now())


def correct_field(store: CorrectionStore, kind: str, extracted: Item, name: str, value: Any,
                  by: str) -> None:
    """Set one field of an extracted item (``extracted``: the item as extraction gave it);
    a value equal to the extracted one takes the correction back. Added items are edited
    in place."""
    if name not in FIELDS or (name == "values" and kind != "target"):
        raise StoreError(f"{name} is not a field of a {kind} that can be corrected")
    set_field(extracted.model_copy(deep=True), name, value)  # validates
    for added in store.added:
        if added.id == extracted.id:
            added.item[name] = value
            added.by, added.at = by, now()
            return
    entry = _entry(store, kind, extracted)
    replaced = dump_field(extracted, name)
    if _same(value, replaced):
        entry.fields.pop(name, None)
    else:
        entry.fields[name] = FieldCorrection(value=value, replaced=replaced, by=by, at=now())
    entry.accepted = Stamp(by=by, at=now())


def correct_document_field(store: CorrectionStore, extracted: Document, name: str, value: Any,
                           by: str) -> None:
    """Set one metadata field of the document (``extracted``: the record as extraction gave
    it); a value equal to the extracted one takes the correction back."""
    set_document_field(extracted.model_copy(deep=True), name, value)  # validates
    replaced = dump_document_field(extracted, name)
    if _same(value, replaced):
        store.document.pop(name, None)
    else:
        store.document[name] = FieldCorrection(value=value, replaced=replaced, by=by, at=now())


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(b, sort_keys=True, ensure_ascii=False)


def delete_item(store: CorrectionStore, kind: str, item: Item, by: str) -> None:
    """The item is not an item of the plan (an added one is taken out of the store)."""
    before = len(store.added)
    store.added = [a for a in store.added if a.id != item.id]
    if len(store.added) == before:
        _entry(store, kind, item).deleted = Stamp(by=by, at=now())


def restore_item(store: CorrectionStore, item_id: str) -> None:
    """Undo a deletion."""
    entry = store.items.get(item_id)
    if entry is not None:
        entry.deleted = None
        if not entry.fields and not entry.accepted:
            del store.items[item_id]


def add_item(store: CorrectionStore, kind: str, item: dict, after: Optional[str], by: str) -> str:
    """Add an item extraction missed (after the item ``after``); return its id."""
    if kind not in ("task", "target"):
        raise StoreError(f"kind must be task or target, not {kind!r}")
    item = {k: v for k, v in item.items() if k not in ("id", "review")}
    _item_class(kind).model_validate(item)  # validates
    item_id = f"{kind}-added-{secrets.token_hex(4)}"
    store.added.append(AddedItem(id=item_id, kind=kind, after=after, item=item, by=by, at=now()))
    return item_id


def accept_all(store: CorrectionStore, doc: Document, by: str) -> int:
    """Accept every item of the record not yet reviewed; mark the document reviewed.
    Return how many items were accepted."""
    n = 0
    for kind, items in _lists(doc).items():
        for item in items:
            if not item.reviewed:
                accept_item(store, kind, item, by)
                n += 1
    store.status = "reviewed"
    store.reviewed = Stamp(by=by, at=now())
    return n
