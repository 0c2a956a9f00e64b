"""Audit the pipeline on samples with expected records: figures per document and overall,
``audit.json`` and an HTML report showing each mismatch beside the page region it came from.

A sample is an input file ``<stem>.<ext>`` with ``<stem>.expected.json`` (a Document JSON,
or a gold records dict) beside it. Scores come from ``outputs.compare.compare_records``.
Besides compare's item P/R/F1 and matched-item field accuracy, each field gets an
end-to-end P/R/F1: a field value counts as right only when its item was matched and the
value agrees, so P = right / extracted items, R = right / expected items.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from .compare import ITEM_KINDS, PRF, Score, compare_records, score_row
from ..schema import Document

EXPECTED_SUFFIX = ".expected.json"
FIELDS = {"targets": ("deadline", "lead_units", "cooperating_units", "values"),
          "tasks": ("deadline", "lead_units", "cooperating_units")}
MAX_CROPS_PER_DOCUMENT = 150  # keeps the HTML report a reasonable size on bad runs
TEMPLATE = Path(__file__).with_name("templates") / "audit.html"

Processor = Callable[[Path], Document]


@dataclass
class SamplePair:
    input: Path
    expected: Path

    @property
    def name(self) -> str:
        return self.expected.name.removesuffix(EXPECTED_SUFFIX)


@dataclass
class DocumentAudit:
    pair: SamplePair
    score: Score
    document: Optional[Document] = None
    error: Optional[str] = None


@dataclass
class AuditResult:
    documents: list[DocumentAudit] = field(default_factory=list)
    missing_inputs: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        """Return the overall figures: pooled item PRF per kind and field sums."""
        return totals_of([d.score for d in self.documents])

    @property
    def f1(self) -> float:
        """Pooled target + task item F1 over all documents (what ``--min-f1`` checks)."""
        return self.totals()["items"].f1


def expected_to_input(expected: Path) -> Optional[Path]:
    """Given ``<stem>.expected.json``, return the sample input ``<stem>.<ext>`` beside it, if any."""
    stem = expected.name.removesuffix(EXPECTED_SUFFIX)
    for p in sorted(expected.parent.iterdir()):
        rest = p.name[len(stem) + 1:]
        if (p.is_file() and p.name.startswith(stem + ".") and rest and "." not in rest
                and p.suffix.lower() != ".json"):
            return p
    return None


def samples_to_pairs(samples_dir: Path) -> tuple[list[SamplePair], list[str]]:
    """Given a samples folder, return the (input, expected) pairs and expected files with no input."""
    pairs, missing = [], []
    for expected in sorted(Path(samples_dir).glob(f"*{EXPECTED_SUFFIX}")):
        found = expected_to_input(expected)
        if found is None:
            missing.append(expected.name)
        else:
            pairs.append(SamplePair(found, expected))
    return pairs, missing


def batch_processor(inputs: list[Path], records_dir: Path, jobs: int = 0, run: bool = True) -> Processor:
    """Given the sample inputs, return a processor that hands back each input's Document.

    With ``run``, the batch pipeline first processes every input at once (pages spread over
    ``jobs`` worker processes, 0 = all cores) and writes the records into ``records_dir``;
    without it, the records already there (from ``kehoach ingest``) are scored as they are.
    An input whose record is an error record, or missing, fails with that reason.
    Imported lazily: the audit is usable without OCR installed.
    """
    from ..pipeline.record_files import path_to_document
    from ..pipeline import records
    from ..pipeline.batch import run_batch
    from ..core.settings import Settings

    if run:
        run_batch(list(inputs), records_dir, Settings(jobs=jobs, force=True))
    names = records.output_names(list(inputs))
    found: dict[Path, Document | str] = {}
    for path in inputs:
        record, error = records.record_path(records_dir, names[path]), records.error_path(records_dir, names[path])
        try:
            if record.exists():
                found[path] = path_to_document(record)
            elif error.exists():
                info = json.loads(error.read_text(encoding="utf-8")).get("error", {})
                found[path] = f"{info.get('code', 'error')}: {info.get('message', '')}"
            else:
                found[path] = f"no record {record.name} in {records_dir}"
        except (OSError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            found[path] = f"unreadable record {record.name}: {str(exc).splitlines()[0]}"

    def process(path: Path) -> Document:
        doc = found[path]
        if isinstance(doc, str):
            raise RuntimeError(doc)
        return doc

    return process


def audit_pair(pair: SamplePair, process: Processor) -> DocumentAudit:
    """Given a sample pair, run the pipeline on its input and score it against the expected record.

    A pipeline failure is scored as a document with no items (every expected item missed).
    """
    expected = json.loads(pair.expected.read_text(encoding="utf-8"))
    try:
        doc = process(pair.input)
    except Exception as exc:  # noqa: BLE001 - a failed sample is a finding, not a crash
        empty = {"targets": [], "tasks": []}
        return DocumentAudit(pair, compare_records(expected, empty), None, f"{type(exc).__name__}: {exc}")
    return DocumentAudit(pair, compare_records(expected, doc), doc)


def run_audit(samples_dir: Path, process: Optional[Processor] = None, *, jobs: int = 0,
              records_dir: Optional[Path] = None, run: bool = True) -> AuditResult:
    """Given a samples folder, audit every sample that has an expected record.

    Without ``process``, the samples go through the batch pipeline together (see
    ``batch_processor``); records land in ``records_dir`` (a temporary folder when None).
    """
    pairs, missing = samples_to_pairs(samples_dir)
    if process is not None:
        return AuditResult([audit_pair(p, process) for p in pairs], missing)
    if records_dir is None:
        with tempfile.TemporaryDirectory(prefix="kehoach-audit-") as tmp:
            return run_audit(samples_dir, jobs=jobs, records_dir=Path(tmp), run=run)
    process = batch_processor([p.input for p in pairs], records_dir, jobs, run)
    return AuditResult([audit_pair(p, process) for p in pairs], missing)


def run_reviewed_audit(records_dir: Path) -> AuditResult:
    """Given a folder of records, score the current extraction of each reviewed record (made
    again from its saved pages with the current rules, without its corrections) against the
    record as reviewers left it: an office's own gold. Items deleted in review count as
    extracted in error, items added as missed, corrected fields as wrong values."""
    from ..pipeline.record_files import paths_to_documents
    from ..pipeline.rerun import reextract

    read = paths_to_documents([records_dir])
    audits = []
    for path, doc in read.documents:
        if not (doc.review and doc.review.status == "reviewed"):
            continue
        pair = SamplePair(Path(doc.source.path), path)
        try:
            actual = reextract(doc)
        except Exception as exc:  # noqa: BLE001 - a failed record is a finding, not a crash
            audits.append(DocumentAudit(pair, compare_records(doc, {"targets": [], "tasks": []}),
                                        None, f"{type(exc).__name__}: {exc}"))
            continue
        audits.append(DocumentAudit(pair, compare_records(doc, actual), actual))
    return AuditResult(audits, [f"{p.name}: {why}" for p, why in read.unreadable])


@dataclass
class FieldPRF:
    """End-to-end P/R/F1 of one field; ``right`` may be fractional (cooperating units score a set F1)."""

    right: float
    extracted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.right / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"right": self.right, "extracted": self.extracted, "expected": self.expected,
                "precision": self.precision, "recall": self.recall, "f1": self.f1}


def totals_of(scores: list[Score]) -> dict[str, Any]:
    """Given Scores, return pooled figures: per kind item PRF and per field end-to-end PRF,
    all items pooled, and metadata accuracy over all metadata fields."""
    out: dict[str, Any] = {}
    pooled = PRF()
    for kind in ITEM_KINDS:
        scored = [getattr(s, kind) for s in scores if getattr(s, kind).scored]
        items = PRF(sum(k.items.tp for k in scored), sum(k.items.fp for k in scored), sum(k.items.fn for k in scored))
        pooled = PRF(pooled.tp + items.tp, pooled.fp + items.fp, pooled.fn + items.fn)
        fields = {}
        for name in FIELDS[kind]:
            right = sum(getattr(k, name).correct for k in scored)
            fields[name] = FieldPRF(right, items.tp + items.fp, items.tp + items.fn)
        out[kind] = {"items": items, "fields": fields, "scored_documents": len(scored)}
    out["items"] = pooled
    meta = [ok for s in scores for ok in s.metadata.values()]
    out["metadata_accuracy"] = sum(meta) / len(meta) if meta else None
    return out


def _totals_to_json(totals: dict[str, Any]) -> dict[str, Any]:
    return {
        **{kind: {"items": totals[kind]["items"].to_dict(),
                  "fields": {n: f.to_dict() for n, f in totals[kind]["fields"].items()},
                  "scored_documents": totals[kind]["scored_documents"]} for kind in ITEM_KINDS},
        "items": totals["items"].to_dict(),
        "metadata_accuracy": totals["metadata_accuracy"],
    }


def result_to_json(result: AuditResult, min_f1: Optional[float] = None) -> dict[str, Any]:
    """Given an audit result, return the audit.json content."""
    return {
        "min_f1": min_f1,
        "f1": result.f1,
        "passed": None if min_f1 is None else result.f1 >= min_f1,
        "overall": _totals_to_json(result.totals()),
        "missing_inputs": result.missing_inputs,
        "documents": [{
            "name": d.pair.name, "input": str(d.pair.input), "expected": str(d.pair.expected),
            "error": d.error, "row": score_row(d.pair.name, d.score),
            "totals": _totals_to_json(totals_of([d.score])), "score": d.score.to_dict(),
        } for d in result.documents],
    }


def _pct(x: Optional[float]) -> str:
    return "   -" if x is None else f"{100 * x:5.1f}"


def _table_lines(name: str, totals: dict[str, Any]) -> list[str]:
    lines = []
    for kind in ITEM_KINDS:
        t = totals[kind]
        if not t["scored_documents"]:
            lines.append(f"{name:<28} {kind:<7} not annotated")
            continue
        it = t["items"]
        f = t["fields"]
        lines.append(
            f"{name:<28} {kind:<7} {it.tp + it.fn:>4} {it.tp + it.fp:>4} {_pct(it.precision)} {_pct(it.recall)} "
            f"{_pct(it.f1)} | {_pct(f['deadline'].f1)} {_pct(f['lead_units'].f1)} {_pct(f['cooperating_units'].f1)} "
            f"{_pct(f['values'].f1) if 'values' in f else '    -'}")
    return lines


def result_to_table(result: AuditResult) -> str:
    """Given an audit result, return the plain-text table printed by ``kehoach audit`` (F1 in %)."""
    head = (f"{'document':<28} {'kind':<7} {'exp':>4} {'got':>4} {'P':>5} {'R':>5} {'F1':>5} | "
            f"{'dead':>5} {'lead':>5} {'coop':>5} {'vals':>5}   (field columns: end-to-end F1)")
    lines = [head, "-" * len(head)]
    for d in result.documents:
        lines += _table_lines(d.pair.name[:28], totals_of([d.score]))
        meta = d.score.metadata_accuracy
        lines.append(f"{'':<28} metadata {_pct(meta)}%" + (f"   ERROR {d.error}" if d.error else ""))
    lines.append("-" * len(head))
    totals = result.totals()
    lines += _table_lines("OVERALL", totals)
    lines.append(f"{'':<28} items F1 {_pct(result.f1)}%   metadata {_pct(totals['metadata_accuracy'])}%")
    for name in result.missing_inputs:
        lines.append(f"warning: {name} has no sample input beside it; not audited")
    return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _mismatch_views(d: DocumentAudit) -> list[dict[str, Any]]:
    """Return the mismatches of one document ready for the template, with page crops."""
    from .page_crops import provenance_to_crop_uri

    widths = {p.number: p.width for p in d.document.pages if p.width} if d.document else {}
    views, crops = [], 0
    for m in d.score.mismatches:
        crop = None
        if crops < MAX_CROPS_PER_DOCUMENT and m.provenance:
            try:
                crop = provenance_to_crop_uri(d.pair.input, m.provenance, widths)
            except Exception as exc:  # noqa: BLE001 - a missing crop must not sink the report
                crop, m.provenance = None, {**m.provenance, "crop_error": str(exc)}
            crops += crop is not None
        prov = m.provenance or {}
        views.append({
            "kind": m.kind, "field": m.field, "expected": _show(m.expected), "actual": _show(m.actual),
            "expected_text": m.expected_text, "actual_text": m.actual_text,
            "ordinals": f"{m.expected_ordinal or '—'} / {m.actual_ordinal or '—'}",
            "similarity": m.similarity, "crop": crop, "page": prov.get("page"),
            "lines": (f"{prov.get('line_start')}–{prov.get('line_end')}" if prov.get("line_start") is not None else None),
            "source": prov.get("source") or None,
        })
    return views


def result_to_html(result: AuditResult, min_f1: Optional[float] = None) -> str:
    """Given an audit result, return the self-contained HTML report (images embedded)."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        table=result_to_table(result), f1=result.f1, min_f1=min_f1,
        documents=[{"name": d.pair.name, "input": d.pair.input.name, "error": d.error,
                    "table": "\n".join(_table_lines(d.pair.name[:28], totals_of([d.score]))),
                    "mismatches": _mismatch_views(d)} for d in result.documents],
        missing=result.missing_inputs,
    )


def write_reports(result: AuditResult, out_dir: Path, min_f1: Optional[float] = None) -> tuple[Path, Path]:
    """Given an audit result, write ``audit.json`` and ``audit.html`` into out_dir; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "audit.json", out_dir / "audit.html"
    json_path.write_text(json.dumps(result_to_json(result, min_f1), ensure_ascii=False, indent=1), encoding="utf-8")
    html_path.write_text(result_to_html(result, min_f1), encoding="utf-8")
    return json_path, html_path
