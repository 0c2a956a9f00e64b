"""Score extracted records against expected (gold) records.

``compare_records(expected, actual) -> Score``: items (targets and tasks separately) are
matched one-to-one by text similarity (rapidfuzz, optimal assignment, threshold), then each
matched pair is compared field by field (deadline end, lead units, cooperating units,
values); metadata fields are compared exactly (title fuzzily). Both the gold records format
(units as plain strings, ``corpus/RECORDS-FORMAT.md``) and the schema format
(``schema.Document``, units as ``{raw, name}``) are accepted on either side.

Every disagreement is kept as a ``Mismatch`` (expected vs actual + the actual item's
provenance) so audit reports can show where a wrong value came from.
"""
from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Optional, Union

from rapidfuzz import fuzz

from ..schema import Document

ITEM_KINDS = ("targets", "tasks")
METADATA_EXACT = ("number", "doc_type", "issuer", "place", "issued_date")
TITLE_MIN_SIMILARITY = 0.9
DEFAULT_MATCH_THRESHOLD = 0.6


@dataclass
class PRF:
    """Precision/recall/F1 from true positive, false positive and false negative counts."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision,
                "recall": self.recall, "f1": self.f1}


@dataclass
class FieldScore:
    """Accuracy of one field over matched items (``total`` = matched items compared)."""

    correct: float = 0.0
    total: int = 0

    @property
    def accuracy(self) -> Optional[float]:
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict:
        return {"correct": self.correct, "total": self.total, "accuracy": self.accuracy}


@dataclass
class Mismatch:
    kind: str  # "targets" | "tasks" | "metadata"
    field: str  # "item" (unmatched), "deadline", "lead_units", ..., or a metadata field
    expected: Any = None
    actual: Any = None
    expected_ordinal: Optional[str] = None
    actual_ordinal: Optional[str] = None
    expected_text: Optional[str] = None
    actual_text: Optional[str] = None
    similarity: Optional[float] = None
    provenance: Optional[dict] = None  # of the actual item, when there is one


@dataclass
class ItemsScore:
    """Matching and per-field scores for one kind of item (targets or tasks)."""

    items: PRF = field(default_factory=PRF)
    deadline: FieldScore = field(default_factory=FieldScore)
    lead_units: FieldScore = field(default_factory=FieldScore)
    cooperating_units: FieldScore = field(default_factory=FieldScore)  # correct = sum of set F1
    values: FieldScore = field(default_factory=FieldScore)
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # (exp idx, act idx, sim)
    scored: bool = True  # False when expected is null (not annotated)

    def to_dict(self) -> dict:
        return {"scored": self.scored, "items": self.items.to_dict(),
                "deadline": self.deadline.to_dict(), "lead_units": self.lead_units.to_dict(),
                "cooperating_units": self.cooperating_units.to_dict(),
                "values": self.values.to_dict(), "pairs": [list(p) for p in self.pairs]}


@dataclass
class Score:
    targets: ItemsScore
    tasks: ItemsScore
    metadata: dict[str, bool]
    mismatches: list[Mismatch]

    @property
    def metadata_accuracy(self) -> float:
        return sum(self.metadata.values()) / len(self.metadata) if self.metadata else 1.0

    @property
    def items(self) -> PRF:
        """Targets and tasks pooled."""
        parts = [s.items for s in (self.targets, self.tasks) if s.scored]
        return PRF(sum(p.tp for p in parts), sum(p.fp for p in parts), sum(p.fn for p in parts))

    def to_dict(self) -> dict:
        return {"targets": self.targets.to_dict(), "tasks": self.tasks.to_dict(),
                "items": self.items.to_dict(), "metadata": dict(self.metadata),
                "metadata_accuracy": self.metadata_accuracy,
                "mismatches": [asdict(m) for m in self.mismatches]}


# ---------------------------------------------------------------- normalisation helpers

def _norm_text(s: Optional[str]) -> str:
    """Given any text, return it NFC, casefolded, with whitespace collapsed."""
    if not s:
        return ""
    s = unicodedata.normalize("NFC", s).replace("—", "-").replace("–", "-")
    return " ".join(s.split()).casefold()


def record_to_dict(rec: Union[dict, Document]) -> dict:
    """Given a gold records dict or a schema Document, return a plain dict of its fields."""
    if isinstance(rec, Document):
        return rec.model_dump(mode="json", exclude={"pages"})
    if hasattr(rec, "model_dump"):
        return rec.model_dump(mode="json")
    return rec


def unit_name(u: Any) -> str:
    """Given a unit as a plain string or a {raw, name} dict/UnitRef, return its name."""
    if isinstance(u, str):
        return u
    if isinstance(u, dict):
        return u.get("name") or u.get("raw") or ""
    return getattr(u, "name", "") or ""


def units_to_set(units: Optional[list]) -> frozenset[str]:
    """Given a list of units in either format, return the set of normalised names."""
    return frozenset(n for n in (_norm_text(unit_name(u)) for u in units or []) if n)


def set_f1(expected: frozenset, actual: frozenset) -> float:
    """Given two sets, return their F1 (1.0 when both are empty)."""
    if not expected and not actual:
        return 1.0
    tp = len(expected & actual)
    if not tp:
        return 0.0
    return 2 * tp / (len(expected) + len(actual))


def deadline_end(d: Optional[dict]) -> Optional[str]:
    """Given a deadline dict (or None), return its ISO end (None for none/recurring/...)."""
    if not d:
        return None
    return d.get("end")


def values_to_multiset(values: Optional[list]) -> list[tuple]:
    """Given target values, return a sorted list of (year, value, unit, comparator) keys."""
    out = []
    for v in values or []:
        val = v.get("value")
        out.append((v.get("year"), None if val is None else round(float(val), 4),
                    _norm_text(v.get("unit")) or None, v.get("comparator")))
    return sorted(out, key=repr)


def text_similarity(a: str, b: str) -> float:
    """Given two item texts, return a similarity 0..1 (tolerant of truncation/extra words)."""
    a, b = _norm_text(a), _norm_text(b)
    if not a or not b:
        return 0.0
    r = fuzz.ratio(a, b)
    # token_set tolerates one text being a prefix/superset; damp it so a short fragment
    # inside a long item does not win over a real full match.
    ts = fuzz.token_set_ratio(a, b) * (0.9 if min(len(a), len(b)) / max(len(a), len(b)) < 0.5 else 1.0)
    return max(r, ts) / 100.0


# ---------------------------------------------------------------- assignment

def assign_max_weight(weights: list[list[float]]) -> list[tuple[int, int]]:
    """Given an n x m weight matrix, return the one-to-one (row, col) pairs maximising the
    total weight (Hungarian algorithm on a padded square cost matrix)."""
    n = len(weights)
    m = len(weights[0]) if n else 0
    if not n or not m:
        return []
    size = max(n, m)
    big = max(max(r) for r in weights) if n else 0.0
    cost = [[(big - weights[i][j]) if i < n and j < m else big for j in range(size)]
            for i in range(size)]
    INF = float("inf")
    u = [0.0] * (size + 1)
    v = [0.0] * (size + 1)
    p = [0] * (size + 1)
    way = [0] * (size + 1)
    for i in range(1, size + 1):
        p[0] = i
        j0 = 0
        minv = [INF] * (size + 1)
        used = [False] * (size + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], INF, 0
            for j in range(1, size + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(size + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = []
    for j in range(1, size + 1):
        i = p[j]
        if i and i - 1 < n and j - 1 < m:
            pairs.append((i - 1, j - 1))
    return sorted(pairs)


def match_items(expected: list[dict], actual: list[dict],
                threshold: float = DEFAULT_MATCH_THRESHOLD) -> list[tuple[int, int, float]]:
    """Given expected and actual items, return optimal one-to-one (exp, act, similarity)
    pairs whose text similarity reaches ``threshold``."""
    if not expected or not actual:
        return []
    sims = [[text_similarity(e.get("text", ""), a.get("text", "")) for a in actual] for e in expected]
    # Below-threshold pairs get weight 0 so they never displace a real match.
    weights = [[s if s >= threshold else 0.0 for s in row] for row in sims]
    return [(i, j, sims[i][j]) for i, j in assign_max_weight(weights) if sims[i][j] >= threshold]


# ---------------------------------------------------------------- scoring

def _short(s: Optional[str], n: int = 160) -> Optional[str]:
    return s if s is None or len(s) <= n else s[: n - 1] + "…"


def score_items(kind: str, expected: Optional[list], actual: Optional[list],
                threshold: float, mismatches: list[Mismatch]) -> ItemsScore:
    """Given expected and actual items of one kind, return their ItemsScore and append the
    mismatches (unmatched items and wrong fields of matched ones)."""
    if expected is None:
        return ItemsScore(scored=False)
    actual = actual or []
    pairs = match_items(expected, actual, threshold)
    sc = ItemsScore(pairs=pairs)
    matched_e = {i for i, _, _ in pairs}
    matched_a = {j for _, j, _ in pairs}
    sc.items = PRF(tp=len(pairs), fp=len(actual) - len(matched_a), fn=len(expected) - len(matched_e))
    for i, e in enumerate(expected):
        if i not in matched_e:
            mismatches.append(Mismatch(kind, "item", expected=_short(e.get("text")), actual=None,
                                       expected_ordinal=e.get("ordinal"),
                                       expected_text=_short(e.get("text"))))
    for j, a in enumerate(actual):
        if j not in matched_a:
            mismatches.append(Mismatch(kind, "item", expected=None, actual=_short(a.get("text")),
                                       actual_ordinal=a.get("ordinal"), actual_text=_short(a.get("text")),
                                       provenance=a.get("provenance")))
    for i, j, sim in pairs:
        e, a = expected[i], actual[j]

        def miss(fname: str, ev: Any, av: Any) -> None:
            mismatches.append(Mismatch(kind, fname, expected=ev, actual=av,
                                       expected_ordinal=e.get("ordinal"), actual_ordinal=a.get("ordinal"),
                                       expected_text=_short(e.get("text")), actual_text=_short(a.get("text")),
                                       similarity=round(sim, 3), provenance=a.get("provenance")))

        ed, ad = deadline_end(e.get("deadline")), deadline_end(a.get("deadline"))
        sc.deadline.total += 1
        if ed == ad:
            sc.deadline.correct += 1
        else:
            miss("deadline", e.get("deadline"), a.get("deadline"))
        el, al = units_to_set(e.get("lead_units")), units_to_set(a.get("lead_units"))
        sc.lead_units.total += 1
        if el == al:
            sc.lead_units.correct += 1
        else:
            miss("lead_units", sorted(el), sorted(al))
        ec, ac = units_to_set(e.get("cooperating_units")), units_to_set(a.get("cooperating_units"))
        sc.cooperating_units.total += 1
        f = set_f1(ec, ac)
        sc.cooperating_units.correct += f
        if f < 1.0:
            miss("cooperating_units", sorted(ec), sorted(ac))
        if kind == "targets":
            ev, av = values_to_multiset(e.get("values")), values_to_multiset(a.get("values"))
            sc.values.total += 1
            if ev == av:
                sc.values.correct += 1
            else:
                miss("values", ev, av)
    return sc


def score_metadata(expected: dict, actual: dict, mismatches: list[Mismatch]) -> dict[str, bool]:
    """Given expected and actual record dicts, return {field: correct} for the metadata fields
    (title fuzzy >= 0.9, signer title exact) and append mismatches."""
    out: dict[str, bool] = {}
    for f in METADATA_EXACT:
        ev, av = expected.get(f), actual.get(f)
        out[f] = _norm_text(ev) == _norm_text(av) if isinstance(ev, str) or isinstance(av, str) else ev == av
    et, at = _norm_text(expected.get("title")), _norm_text(actual.get("title"))
    out["title"] = (et == at) or (bool(et and at) and fuzz.ratio(et, at) / 100.0 >= TITLE_MIN_SIMILARITY)
    es = (expected.get("signer") or {}).get("title")
    as_ = (actual.get("signer") or {}).get("title")
    out["signer_title"] = _norm_text(es) == _norm_text(as_)
    for f, ok in out.items():
        if not ok:
            ev = es if f == "signer_title" else expected.get(f)
            av = as_ if f == "signer_title" else actual.get(f)
            mismatches.append(Mismatch("metadata", f, expected=ev, actual=av))
    return out


def compare_records(expected: Union[dict, Document], actual: Union[dict, Document],
                    threshold: float = DEFAULT_MATCH_THRESHOLD) -> Score:
    """Given expected and actual records (gold dict or Document, either side), return the
    Score: item P/R/F1 per kind, per-field accuracy on matched items, metadata, mismatches."""
    e, a = record_to_dict(expected), record_to_dict(actual)
    mismatches: list[Mismatch] = []
    per_kind = {k: score_items(k, e.get(k), a.get(k), threshold, mismatches) for k in ITEM_KINDS}
    meta = score_metadata(e, a, mismatches)
    return Score(targets=per_kind["targets"], tasks=per_kind["tasks"], metadata=meta,
                 mismatches=mismatches)


def score_row(name: str, score: Score) -> dict:
    """Given a plan name and its Score, return a flat row of headline figures for tables."""
    def acc(fs: FieldScore) -> Optional[float]:
        return fs.accuracy

    row: dict[str, Any] = {"plan": name}
    for k in ITEM_KINDS:
        s: ItemsScore = getattr(score, k)
        if not s.scored:
            row[k] = None
            continue
        row[k] = {"P": s.items.precision, "R": s.items.recall, "F1": s.items.f1,
                  "n_exp": s.items.tp + s.items.fn, "n_act": s.items.tp + s.items.fp,
                  "deadline": acc(s.deadline), "lead": acc(s.lead_units),
                  "coop": acc(s.cooperating_units), "values": acc(s.values) if k == "targets" else None}
    row["metadata"] = score.metadata_accuracy
    row["metadata_wrong"] = [k for k, ok in score.metadata.items() if not ok]
    return row
