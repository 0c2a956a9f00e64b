"""The record of one plan: the object that flows through ingest -> normalize -> extract.

Field names here are a contract with downstream users (JSON files, databases, audits);
add fields freely, never rename. Every extracted value carries provenance so it can be
traced back to a page, a box and the source text it came from.

Coordinates: every ``bbox`` is ``[x0, top, x1, bottom]`` in PDF points (1/72 inch) of its
page, origin top-left, whatever the page's source (text layer, OCR at any dpi, image).
"""
from __future__ import annotations

from typing import Any, ClassVar, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer, model_validator

SCHEMA_VERSION = "1.1"  # 1.1: pages[].error is an ErrorInfo (was "code: message")

BBox = tuple[float, float, float, float]

PageMethod = Literal["text", "ocr"]
SourceKind = Literal["pdf", "image", "text", "docx", "doc"]  # doc: converted by LibreOffice
Status = Literal["success", "partial", "failure"]
DeadlineKind = Literal[
    "date", "month", "quarter", "year", "multiple", "recurring", "conditional", "none"
]
Comparator = Literal[">=", ">", "<=", "<", "="]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Word(_Model):
    """One recognised or extracted word with its box and (for OCR) confidence 0-100."""

    text: str
    bbox: BBox
    conf: Optional[float] = None
    line: int = Field(0, description="index of the line on the page this word belongs to")
    raw: Optional[str] = Field(None, description="the word as read, when normalization changed it")


class TableCell(_Model):
    row: int
    col: int
    text: str
    raw: Optional[str] = Field(None, description="the cell text as read, when normalization changed it")
    bbox: Optional[BBox] = None
    row_span: int = 1
    col_span: int = 1


class Table(_Model):
    """A ruled table found on a page (text-layer ruling lines or grid lines in a scan), or a
    Word table (method docx: Word's own cells, merged ones once with their spans, no boxes)."""

    bbox: Optional[BBox] = None
    n_rows: int
    n_cols: int
    cells: list[TableCell] = Field(default_factory=list)
    method: Literal["pdf-ruling", "image-grid", "docx"] = "pdf-ruling"

    def rows(self) -> list[list[str]]:
        """Return the table as a dense grid of cell texts ('' where no cell)."""
        grid = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for c in self.cells:
            if 0 <= c.row < self.n_rows and 0 <= c.col < self.n_cols:
                grid[c.row][c.col] = c.text
        return grid


class TokenEdit(_Model):
    """One token the normalize stage changed: where it was and what it became."""

    line: int
    index: int
    raw: str
    text: str


class ErrorInfo(_Model):
    """Something that failed: a page that could not be read, a reader or parser that
    crashed, a whole input. ``code`` is stable (for scripts), ``message`` and ``hint`` are
    for people."""

    code: str
    message: str
    hint: Optional[str] = None
    page: Optional[int] = None
    stage: Optional[str] = Field(None, description="the stage that failed or ran out of time "
                                 "(ingest, ocr, normalize, extract), when known")

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" + (f" ({self.hint})" if self.hint else "")


def line_to_error_info(value):
    """Given a page error as records before schema 1.1 wrote it ("code: message"), return
    it as an ErrorInfo; anything else unchanged (pydantic validates it)."""
    if isinstance(value, str):
        code, sep, message = value.partition(": ")
        if not sep or " " in code:
            code, message = "error", value
        return {"code": code, "message": message}
    return value


class Page(_Model):
    number: int = Field(..., description="1-based page number in the source")
    method: PageMethod
    raw_text: str = Field("", description="text as extracted from the text layer or recognised by OCR")
    text: str = Field("", description="text after normalization (equal to raw_text before it)")
    confidence: Optional[float] = Field(
        None, description="mean OCR word confidence 0-100; null for text-layer pages"
    )
    width: Optional[float] = Field(None, description="page width in points")
    height: Optional[float] = Field(None, description="page height in points")
    dpi: Optional[int] = Field(None, description="render resolution used for OCR")
    rotation: int = Field(0, description="degrees the page image was rotated before OCR")
    decision: str = Field("", description="why this page was read by text layer or OCR")
    words: list[Word] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    dropped: list[Word] = Field(
        default_factory=list,
        description="OCR words left out of the text as scan specks or ruling-line glyphs "
                    "(short and read with near-zero confidence), kept here with their boxes",
    )
    encoding: Optional[str] = Field(
        None, description="legacy encoding detected and converted (tcvn3, vni, cp1258, ...)"
    )
    tokens_changed: int = Field(0, description="tokens the normalize stage changed on this page")
    edits: list[TokenEdit] = Field(default_factory=list)
    error: Optional[ErrorInfo] = Field(None, description="why this page could not be read, "
                                       "if so (also in the document's errors)")

    _error_from_line = field_validator("error", mode="before")(line_to_error_info)


class Source(_Model):
    path: str
    sha256: str
    pages: int = 0
    kind: SourceKind
    size_bytes: int = 0
    encoding: Optional[str] = Field(None, description="text files: the encoding they were decoded from")


class Provenance(_Model):
    page: Optional[int] = None
    bbox: Optional[BBox] = None
    source: str = Field("", description="the source text span the value was read from")
    line_start: Optional[int] = Field(None, description="first line on the page (0-based) of "
                                      "a text item; on a Word page each paragraph is one line")
    line_end: Optional[int] = None
    table: Optional[int] = Field(None, description="a table item: its table's index on the page "
                                 "(0-based, reading order: pages[].tables sorted top to bottom)")
    row: Optional[int] = Field(None, description="a table item: its row in that table (0-based, "
                               "the row of the table's cells it was read from, the first when it "
                               "goes on in the next rows)")


class Deadline(_Model):
    raw: str
    kind: DeadlineKind
    start: Optional[str] = Field(None, description="ISO date bounding the period")
    end: Optional[str] = Field(None, description="ISO date bounding the period")
    parts: list["Deadline"] = Field(default_factory=list, description="kind=multiple: each part")
    year_inferred: bool = Field(False, description="the year was taken from the plan, not printed")


class UnitRef(_Model):
    raw: str
    name: str
    known: bool = Field(True, description="false when the unit is not in the registry")
    match: Optional[str] = Field(
        None, description="how a known name was found when the print is not exactly one of its "
        "names or aliases (an OCR repair or a level taken from context), e.g. 'fuzzy, score 88'; "
        "absent for an exact match: a guess must be told from a certain match")
    kind: Optional[str] = Field(
        None, description="what sort of body the name starts with: UBND, HĐND, Sở, Phòng, Ban, "
        "Văn phòng, Trung tâm, Công an, Đảng, Mặt trận, đoàn thể, doanh nghiệp, ... "
        "(extract/data/unit_forms.yaml); null when the name starts with no known kind")
    level: Optional[str] = Field(
        None, description="administrative level of the unit: trung ương, tỉnh, huyện, xã "
        "(communes, wards, towns); from the name, its kind, or the plan's issuer (see inferred)")
    place: Optional[str] = Field(
        None, description="the place the unit belongs to: printed in its name ('Công an tỉnh "
        "An Giang', 'Viễn thông Nghệ An') or, for a name relative to the plan ('UBND xã' in a "
        "commune's plan), the issuer's place (see inferred)")
    collective: bool = Field(
        False, description="the name stands for many bodies ('Các sở, ban, ngành', 'UBND cấp xã')")
    inferred: list[Literal["level", "place"]] = Field(
        default_factory=list, description="which of level and place were taken from the plan's "
        "issuer rather than printed in the name")


class TargetValue(_Model):
    year: Optional[int] = None
    raw: str
    value: Optional[float] = None
    unit: Optional[str] = None
    comparator: Optional[Comparator] = None


ReviewStatus = Literal["not-reviewed", "in-review", "reviewed"]
CorrectableField = Literal["text", "ordinal", "section", "appendix", "deadline", "lead_units",
                           "cooperating_units", "notes", "values"]


class ItemReview(_Model):
    """What a reviewer did to an item (``kehoach review``; the corrections store
    ``OUT/corrections/<record>.json`` holds it and every run applies it again)."""

    accepted: bool = Field(False, description="a reviewer checked the item against the page")
    added: bool = Field(False, description="the item was missed by extraction and added by a reviewer")
    corrected: list[CorrectableField] = Field(
        default_factory=list, description="the fields whose value is a reviewer's correction")
    extracted: dict[str, Any] = Field(
        default_factory=dict, description="for each corrected field, the value extraction gave "
        "(null when it gave none): the record without corrections can be told from it")
    by: Optional[str] = Field(None, description="who reviewed the item last")
    at: Optional[str] = Field(None, description="when (ISO 8601 with time zone)")


class Item(_Model):
    id: Optional[str] = Field(
        None, description="the item's stable id within its document: 'task-' or 'target-' and "
        "10 hex digits of a hash of its appendix, section and ordinal, folded (no case or "
        "marks), or of the first words of its text when it has no ordinal; '-2', '-3' for a "
        "later item of the same path. The same item keeps it across re-extraction, re-OCR "
        "and new versions; corrections are keyed by it. Added items: 'task-added-...'")
    ordinal: Optional[str] = None
    section: Optional[str] = None
    appendix: Optional[str] = None
    text: str
    deadline: Optional[Deadline] = None
    lead_units: list[UnitRef] = Field(default_factory=list)
    cooperating_units: list[UnitRef] = Field(default_factory=list)
    notes: Optional[str] = None
    provenance: Provenance = Field(default_factory=Provenance)
    confidence: Optional[float] = None
    warnings: list[str] = Field(default_factory=list)
    review: Optional[ItemReview] = Field(
        None, description="what a reviewer did to the item; null when no reviewer has")

    @property
    def reviewed(self) -> bool:
        """A reviewer accepted, corrected or added this item."""
        r = self.review
        return bool(r and (r.accepted or r.added or r.corrected))


class Task(Item):
    pass


class Target(Item):
    values: list[TargetValue] = Field(default_factory=list)


class Signer(_Model):
    name: Optional[str] = None
    title: Optional[str] = Field(
        None, description="the signing authority as printed, lines joined with ' - ': "
        "'TM. ỦY BAN NHÂN DÂN - KT. CHỦ TỊCH - PHÓ CHỦ TỊCH'")
    authority: list[str] = Field(
        default_factory=list, description="the lines that sign on behalf of a body or a head, "
        "in print order: 'TM. ỦY BAN NHÂN DÂN' (for the body), 'KT. CHỦ TỊCH' (for the head), "
        "Q./TL./TUQ. ...; empty when the head signs in person")
    position: Optional[str] = Field(
        None, description="the signer's own position: 'PHÓ CHỦ TỊCH', 'CHỦ TỊCH', 'GIÁM ĐỐC'")


class MetadataProvenance(_Model):
    """Where each metadata value of the document was printed (page, box of its words, the
    printed text, its lines); null for a value not found in print as read (repaired, or
    spelt as the national list spells it)."""

    number: Optional[Provenance] = None
    doc_type: Optional[Provenance] = None
    issuer: Optional[Provenance] = None
    place: Optional[Provenance] = None
    issued_date: Optional[Provenance] = None
    title: Optional[Provenance] = None
    signer: Optional[Provenance] = Field(None, description="the signer's name")


class Reference(_Model):
    kind: Optional[str] = None
    number: Optional[str] = None
    date: Optional[str] = None
    issuer: Optional[str] = None
    raw: str = ""


class Metadata(_Model):
    """What the plan says about itself (its header, title and signature), each value with
    where it was printed (``provenance``). In a record file its fields sit at the top level
    of the document (``RECORD_KEYS``: ``provenance`` is ``metadata_provenance``)."""

    number: Optional[str] = None
    doc_type: Optional[str] = None
    issuer: Optional[str] = None
    place: Optional[str] = None
    issued_date: Optional[str] = None
    title: Optional[str] = None
    signer: Signer = Field(default_factory=Signer)
    provenance: MetadataProvenance = Field(
        default_factory=MetadataProvenance, description="where number, doc_type, issuer, place, "
        "issued_date, title and the signer's name were printed")
    references: list[Reference] = Field(default_factory=list)

    # field -> its key in a record file, in the record's order
    RECORD_KEYS: ClassVar[dict[str, str]] = {
        "number": "number", "doc_type": "doc_type", "issuer": "issuer", "place": "place",
        "issued_date": "issued_date", "title": "title", "signer": "signer",
        "provenance": "metadata_provenance", "references": "references"}


class UnitRole(_Model):
    """A unit named anywhere in the plan and the roles it holds there."""

    name: str
    known: bool = True
    kind: Optional[str] = None
    level: Optional[str] = None
    place: Optional[str] = None
    collective: bool = False
    roles: list[Literal["lead", "cooperating"]] = Field(default_factory=list)
    tasks: int = 0
    targets: int = 0


class Warning(_Model):
    stage: str
    message: str
    page: Optional[int] = None
    source: Optional[str] = None


class PlanCopy(_Model):
    """What kind of copy of its plan a record was read from, and how well (extract.plan_identity)."""

    kind: Literal["born-digital", "scan", "old-ocr-text"]
    rank: int = Field(..., description="0 born digital, 1 scan or image, 2 old OCR text: the "
                      "primary copy of a plan has the lowest rank, then the highest quality")
    quality: float = Field(..., description="0-1: text-layer pages 1, OCR pages their mean "
                           "confidence, old OCR text the share of tokens restoration kept")


class DeletedItem(_Model):
    """An extracted item a reviewer said is not an item: kept whole, out of the lists."""

    kind: Literal["task", "target"]
    position: int = Field(..., description="its 0-based place among the extracted items of its kind")
    item: dict[str, Any] = Field(..., description="the item as extracted")
    by: Optional[str] = None
    at: Optional[str] = None


class UnmatchedCorrection(_Model):
    """A correction in the store whose item the current extraction does not have."""

    item_id: str
    kind: Literal["task", "target"]
    what: str = Field(..., description="accept, delete or the field corrected")
    text: str = Field("", description="the item's text when the correction was made")


DocumentField = Literal["number", "doc_type", "issuer", "place", "issued_date", "title", "signer"]


class DocumentReview(_Model):
    """The state of a document's review: the corrections applied to this record."""

    status: ReviewStatus = "not-reviewed"
    store: str = Field(..., description="the corrections file, relative to the records' folder")
    items: int = Field(0, description="items in the record")
    items_reviewed: int = Field(0, description="of them accepted, corrected or added by a reviewer")
    corrections: int = Field(0, description="corrections applied (fields, deletions, additions)")
    corrected: list[DocumentField] = Field(
        default_factory=list, description="the document's metadata fields whose value is a "
        "reviewer's correction (plan_id and metadata_provenance stay as extraction read them)")
    extracted: dict[str, Any] = Field(
        default_factory=dict, description="for each corrected metadata field, the value "
        "extraction gave (null when it gave none)")
    deleted: list[DeletedItem] = Field(default_factory=list)
    unmatched: list[UnmatchedCorrection] = Field(
        default_factory=list, description="corrections kept in the store whose item this "
        "extraction does not have (reported, never dropped; the review page lists them)")
    by: Optional[str] = None
    at: Optional[str] = None


class ProducedBy(_Model):
    """What made this record: a re-run with other options redoes it instead of skipping."""

    version: str
    options: str = Field(..., description="fingerprint of the options that shape the record")


class Document(_Model):
    """One plan: the object every stage reads and adds to."""

    schema_version: str = SCHEMA_VERSION
    source: Source
    produced_by: Optional[ProducedBy] = None
    status: Status = Field(
        "success", description="failure: not one page could be read; partial: something failed "
        "(see errors); success: nothing did")
    plan_id: Optional[str] = Field(
        None, description="the plan's identity, shared by every copy of it (scan, PDF, old OCR "
        "text): a hash of its number, issuer and issue date, folded; null when none was read")
    plan_copy: Optional[PlanCopy] = Field(
        None, description="what kind of copy of the plan this record was read from, and how well")
    doc_id: Optional[str] = Field(
        None, description="the document's stable id: its plan_id when the plan's identity was "
        "read (copies of one plan share it), else 'doc-' and the first 16 hex digits of the "
        "source's SHA-256; unchanged by re-extraction, re-OCR and new versions")
    review: Optional[DocumentReview] = Field(
        None, description="the reviewers' corrections applied to this record (null: none in "
        "the store); items carry their own review")
    metadata: Metadata = Field(
        default_factory=Metadata, description="what the plan says about itself; in the record "
        "file its fields are top-level keys (Metadata.RECORD_KEYS)")
    targets: list[Target] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    units: list[UnitRole] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)
    errors: list[ErrorInfo] = Field(
        default_factory=list, description="everything that failed: pages that could not be "
        "read (with their page), readers and parsers that crashed; any makes the status partial")
    stages: list[str] = Field(default_factory=list, description="stages that ran, in order")
    pages: list[Page] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _metadata_of_record(cls, data: Any) -> Any:
        """A record file holds the metadata fields at its top level: gather them into
        ``metadata`` (records of every schema version load)."""
        if not isinstance(data, dict):
            return data
        keys = {key: field for field, key in Metadata.RECORD_KEYS.items() if key in data}
        if not keys:
            return data
        data = dict(data)
        meta = dict(data.pop("metadata", None) or {})
        for key, field in keys.items():
            meta[field] = data.pop(key)
        data["metadata"] = meta
        return data

    @model_serializer(mode="wrap")
    def _record_with_top_level_metadata(self, handler) -> dict[str, Any]:
        """Given the serializer, return the record with the metadata fields at its top level
        (where records have always held them), in place of ``metadata``."""
        data = handler(self)
        if "metadata" not in data:
            return data
        out: dict[str, Any] = {}
        for k, v in data.items():
            if k != "metadata":
                out[k] = v
                continue
            for field, key in Metadata.RECORD_KEYS.items():
                if field in v:
                    out[key] = v[field]
        return out

    @classmethod
    def record_json_schema(cls) -> dict[str, Any]:
        """Return the JSON Schema of a record file: the model's, the metadata fields at the top
        level as the serializer writes them."""
        schema = cls.model_json_schema()
        meta = schema["$defs"].pop("Metadata")
        props: dict[str, Any] = {}
        for k, v in schema["properties"].items():
            if k != "metadata":
                props[k] = v
                continue
            for field, key in Metadata.RECORD_KEYS.items():
                props[key] = meta["properties"][field]
        schema["properties"] = props
        return schema

    def warn(self, stage: str, message: str, page: int | None = None, source: str | None = None) -> None:
        self.warnings.append(Warning(stage=stage, message=message, page=page, source=source))

    @property
    def text(self) -> str:
        """The normalized text of all pages, pages separated by form feeds."""
        return "\f".join(p.text for p in self.pages)


class ErrorRecord(_Model):
    """Written as ``<stem>.error.json`` when an input cannot be turned into a Document."""

    schema_version: str = SCHEMA_VERSION
    status: Literal["failure"] = "failure"
    source: dict
    error: ErrorInfo


Deadline.model_rebuild()
