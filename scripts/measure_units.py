"""Measure what the records say about units, signer, issuer and plan identity.

    .venv/bin/python scripts/measure_units.py --bench DIR       # records `kehoach bench extract --save-records DIR` wrote
    .venv/bin/python scripts/measure_units.py --unseen          # tests/fixtures/unseen, run now (text inputs)
    .venv/bin/python scripts/measure_units.py --plans DIR       # generated plans (bench/plans) already built in DIR
    .venv/bin/python scripts/measure_units.py --bench DIR --loo # the registry without the units only this plan's gold names
    add -v for every debris unit, dropped word and wrong signer/issuer

Per source (records paired with their expected records):
  lead     exact lead-unit sets over matched items (outputs/compare.py)
  coop     cooperating-unit set F1 over matched items
  units    unit mentions in the record; unknown = not in the registry
  debris   mentions that are no unit: a date or a number with "/", a symbol no name prints
           ("€", "@"), a print starting with a lower-case word other than a collective's,
           no word of 2+ letters; judged here on the name, independently of extract/units.py
  dropped  mentions whose name lacks a capitalised word of the print that is no registry word
           (a place or a proper name: "Nghệ An" of "Viễn thông Nghệ An"), compared folded
  signer   name and title as the expected record says (where it says them)
  issuer   exact, and "placed" (ends with a place after a level word, or the expected says none)
  plan_id  distinct plan ids of the copies of one plan (1 is right)
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kehoach.core.folding import fold, nfc  # noqa: E402

_DATE = re.compile(r"\d{1,2}\s*/\s*\d{1,4}")
_SYMBOL = re.compile(r"[^\w\s,.\-–&()/'’:;]")
_COLLECTIVE_START = ("các ", "những ", "cơ quan", "đơn vị", "doanh nghiệp", "tổ chức")
_LOWER_HEADS = ("phòng", "ban", "sở", "ngành")


def is_debris(name: str) -> bool:
    """Given a unit name from a record, return whether it is no unit at all."""
    n = nfc(name).strip()
    words = [w for w in re.findall(r"[^\W\d_]+", n) if len(w) >= 2]
    if not words:
        return True
    if _DATE.search(n) or _SYMBOL.search(n):
        return True
    # a lower-case start is a fragment, unless a unit phrase starts so ("phòng, ban, ngành")
    return n[:1].islower() and not n.lower().startswith(_COLLECTIVE_START + _LOWER_HEADS)


def dropped_words(raw: str, name: str, vocabulary: frozenset[str]) -> list[str]:
    """Given a unit as printed and its record name, return the capitalised words of the print
    (not its first) that are no registry word and that the name lacks, compared folded."""
    from rapidfuzz.distance import Levenshtein

    have = re.sub(r"[\W_]", "", fold(nfc(name)))  # OCR glues and splits words: compared without spaces
    name_words = [fold(w).lower() for w in re.findall(r"[^\W\d_]+", nfc(name))]
    out = []
    for w in re.findall(r"[^\W\d_]+", nfc(raw))[1:]:
        f = fold(w)
        glued = sum(c.isupper() for c in w) > 1  # "UBNDIinh": an abbreviation OCR glued on
        # an OCR repair: one letter added, lost or misread in a word of 3+ letters ("Dur" -> "Du")
        repaired = len(f) >= 3 and any(h[:1] == f[:1].lower() and Levenshtein.distance(f.lower(), h) <= 1
                                       for h in name_words)
        if w[:1].isupper() and len(w) >= 2 and not glued and f not in vocabulary and f not in have and not repaired:
            out.append(w)
    return out


def _mentions(rec: dict):
    for kind in ("tasks", "targets"):
        for it in rec.get(kind) or []:
            for role in ("lead_units", "cooperating_units"):
                for u in it.get(role) or []:
                    yield role, u


def plan_id_of(rec: dict) -> str:
    """Given a record, return its plan id (the record's own, else number|issuer|date folded)."""
    if rec.get("plan_id"):
        return rec["plan_id"]
    return "|".join(fold(nfc(str(rec.get(k) or ""))) for k in ("number", "issuer", "issued_date"))


class Tally:
    def __init__(self, label: str) -> None:
        self.label = label
        self.n = defaultdict(float)
        self.notes: list[str] = []

    def add(self, key: str, v: float = 1) -> None:
        self.n[key] += v

    def line(self) -> str:
        n = self.n

        def r(a: str, b: str) -> str:
            return f"{n[a] / n[b]:.3f}" if n[b] else "  -  "

        return (f"| {self.label} | {int(n['inputs'])} | {r('lead_ok', 'lead_total')} | {r('coop_ok', 'coop_total')} | "
                f"{int(n['units'])} | {int(n['unknown'])} | {int(n['debris'])} | {int(n['dropped'])} | "
                f"{int(n['signer_name_ok'])}/{int(n['signer_name_total'])} | "
                f"{int(n['signer_title_ok'])}/{int(n['signer_title_total'])} | "
                f"{int(n['issuer_ok'])}/{int(n['inputs'])} | {int(n['issuer_placed'])}/{int(n['inputs'])} |")


HEAD = ("| source | inputs | lead | coop | units | unknown | debris | dropped | signer name | signer title "
        "| issuer | issuer placed |\n|---|---|---|---|---|---|---|---|---|---|---|---|")


def score_pair(t: Tally, label: str, rec: dict, exp: dict, vocabulary: frozenset[str]) -> None:
    from kehoach.outputs.compare import compare_records

    s = compare_records(exp, rec)
    t.add("inputs")
    for m in s.mismatches:
        if m.field in ("lead_units", "cooperating_units"):
            t.notes.append(f"{label}: {m.field} {m.expected!r} -> {m.actual!r}")
    for part in (s.targets, s.tasks):
        if part.scored:
            t.add("lead_ok", part.lead_units.correct)
            t.add("lead_total", part.lead_units.total)
            t.add("coop_ok", part.cooperating_units.correct)
            t.add("coop_total", part.cooperating_units.total)
    for role, u in _mentions(rec):
        t.add("units")
        if not u.get("known", True):
            t.add("unknown")
        if is_debris(u["name"]):
            t.add("debris")
            t.notes.append(f"{label}: debris {u['name']!r}")
        lost = dropped_words(u.get("raw") or "", u["name"], vocabulary)
        if lost:
            t.add("dropped")
            t.notes.append(f"{label}: dropped {lost} of {u.get('raw')!r} -> {u['name']!r}")
    es, as_ = exp.get("signer") or {}, rec.get("signer") or {}
    for k in ("name", "title"):
        if es.get(k):
            t.add(f"signer_{k}_total")
            if nfc(es[k]) == nfc(as_.get(k) or ""):
                t.add(f"signer_{k}_ok")
            else:
                t.notes.append(f"{label}: signer {k} {as_.get(k)!r}, expected {es[k]!r}")
    if nfc(exp.get("issuer") or "") == nfc(rec.get("issuer") or ""):
        t.add("issuer_ok")
    else:
        t.notes.append(f"{label}: issuer {rec.get('issuer')!r}, expected {exp.get('issuer')!r}")
    from kehoach.extract.metadata_issuer import place_of
    from kehoach.extract.rules import load_rules

    exp_placed = place_of(exp.get("issuer") or "", load_rules().metadata)[1] is not None
    placed = place_of(rec.get("issuer") or "", load_rules().metadata)[1] is not None
    if placed or not exp_placed:
        t.add("issuer_placed")


def bench_pairs(folder: Path):
    from kehoach.bench.extract import bench_inputs, saved_record_path

    for bi in bench_inputs(kinds=("gold-text", "raw-ocr", "pdf", "scan", "scan-short", "image", "tiff")):
        p = saved_record_path(folder, bi)
        if p.exists() and bi.expected is not None:
            rec = json.loads(p.read_text(encoding="utf-8"))
            yield bi.plan, bi.kind, rec, json.loads(bi.expected.read_text(encoding="utf-8")), p


def reextracted(rec_path: Path, registry_path: Path | None = None) -> dict:
    """Given a saved record, return it re-extracted with the current rules (as a dict)."""
    from kehoach.pipeline.rerun import reextract
    from kehoach.pipeline.record_files import path_to_document

    doc = reextract(path_to_document(rec_path))
    return json.loads(doc.model_dump_json(exclude={"pages"}))


def unseen_pairs(before_each=lambda plan: None):
    import tempfile

    sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "unseen"))
    from measure import inputs  # type: ignore

    from kehoach.pipeline.runner import process_file
    from kehoach.core.settings import Settings

    here = ROOT / "tests" / "fixtures" / "unseen"
    with tempfile.TemporaryDirectory() as tmp:
        for plan, kind, path, restore in inputs(Path(tmp), False):
            before_each(plan)
            doc = process_file(path, Settings(restore=restore))
            exp = json.loads((here / f"{plan}.records.json").read_text(encoding="utf-8"))
            yield plan, kind, json.loads(doc.model_dump_json(exclude={"pages"})), exp


def plans_pairs(folder: Path, kinds: tuple[str, ...]):
    from kehoach.pipeline.runner import process_file
    from kehoach.core.settings import Settings

    for rec_path in sorted(folder.glob("*.records.json")):
        stem = rec_path.name[: -len(".records.json")]
        exp = json.loads(rec_path.read_text(encoding="utf-8"))
        for kind in kinds:
            path = folder / (f"{stem}.pdf" if kind == "pdf" else f"{stem}.scan.pdf" if kind == "scan"
                             else f"{stem}.ocr.txt")
            if not path.exists():
                continue
            doc = process_file(path, Settings(jobs=1, restore=(kind == "ocr")))
            yield stem, kind, json.loads(doc.model_dump_json(exclude={"pages"})), exp


def expected_names() -> dict[str, set[str]]:
    """Return, per plan id, the unit names its expected records (samples, corpus gold, unseen) name."""
    out: dict[str, set[str]] = defaultdict(set)
    files = [*(ROOT / "samples").glob("*.expected.json"), *(ROOT / "corpus" / "gold").glob("*.records.json"),
             *(ROOT / "tests" / "fixtures" / "unseen").glob("*.records.json")]
    for f in files:
        plan = f.name.split(".")[0]
        for _, u in _mentions(json.loads(f.read_text(encoding="utf-8"))):
            out[plan].add(u if isinstance(u, str) else u.get("name"))
    return out


def registry_without(plan: str):
    """Return the extract rules bundle with a registry without the entries only ``plan``'s
    expected records name."""
    import dataclasses

    import yaml

    from kehoach.extract.rules import DATA, load_rules
    from kehoach.extract.unit_data import UnitData
    from kehoach.extract.units import UnitRegistry

    names = expected_names()
    others = set().union(*(v for k, v in names.items() if k != plan))
    mine = names.get(plan, set()) - others
    data = yaml.safe_load((DATA / "units.yaml").read_text(encoding="utf-8"))
    data["units"] = [u for u in data["units"] if u["name"] not in mine]
    rules = load_rules()
    return dataclasses.replace(rules, units=UnitRegistry.from_data(UnitData.model_validate(data), rules.units.forms))


def load_figures(records: list[tuple[str, dict]], verbose: bool = False) -> str:
    """Given (label, record dict) pairs, load them into a scratch SQLite database and return
    the counts a user of the database sees: documents, plans, unit rows and their quality."""
    import tempfile

    from sqlalchemy import func, select, text

    from kehoach.outputs import db
    from kehoach.schema import Document

    with tempfile.TemporaryDirectory() as tmp:
        engine = db.url_to_engine(f"sqlite:///{tmp}/k.db")
        docs = [(label, Document.model_validate({**rec, "pages": []})) for label, rec in records]
        db.load_documents(docs, engine=engine)
        with engine.connect() as conn:
            n = lambda q: conn.execute(text(q)).scalar_one()  # noqa: E731
            units = conn.execute(select(db.units)).mappings().all()
            debris = [u["name"] for u in units if is_debris(u["name"])]
            police = conn.execute(select(func.count()).select_from(db.units)
                                  .where(db.units.c.name == "Công an xã")).scalar_one()
            out = (f"database: {n('SELECT count(*) FROM documents')} documents, "
                   f"{n('SELECT count(*) FROM plans')} plans (view), {len(units)} unit rows: "
                   f"{sum(not u['known'] for u in units)} unknown, {sum(u['kind'] is None for u in units)} "
                   f"without kind, {sum(u['level'] is None for u in units)} without level, "
                   f"{len(debris)} debris; 'Công an xã' rows: {police}")
            if verbose:
                out += "\n" + "\n".join(f"  unit row {u['name']!r} place={u['place']} kind={u['kind']} "
                                         f"level={u['level']} known={u['known']}" for u in units
                                         if not u["known"] or u["kind"] is None or u["level"] is None)
        engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", type=Path)
    ap.add_argument("--rerun", action="store_true", help="re-extract the --bench records with the current rules")
    ap.add_argument("--unseen", action="store_true")
    ap.add_argument("--plans", type=Path)
    ap.add_argument("--kinds", default="pdf,ocr")
    ap.add_argument("--loo", action="store_true", help="leave one plan out: re-extract each --bench plan "
                    "(implies --rerun) and each --unseen plan with a registry without the unit names "
                    "only that plan's expected records name")
    ap.add_argument("--load", action="store_true", help="also load the --bench records into a scratch "
                    "SQLite database and count plans and unit rows")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args(argv)
    from kehoach import extract
    from kehoach.extract.rules import load_rules

    vocabulary = load_rules().units.vocabulary
    tallies: dict[str, Tally] = {}
    ids: dict[str, set[str]] = defaultdict(set)

    def tally(label: str) -> Tally:
        return tallies.setdefault(label, Tally(label))

    loaded = []
    bundled = extract.load_rules

    def registry_for(plan: str) -> None:  # the stage's one load of the rules, this registry in it
        extract.load_rules = (lambda r=registry_without(plan): r) if a.loo else bundled

    if a.bench:
        for plan, kind, rec, exp, path in bench_pairs(a.bench):
            registry_for(plan)
            if a.rerun or a.loo:
                rec = reextracted(path)
            loaded.append((f"{plan}.{kind}", rec))
            score_pair(tally(f"samples/corpus {kind}"), f"{plan} {kind}", rec, exp, vocabulary)
            ids[plan].add(plan_id_of(rec))
    if a.unseen:
        for plan, kind, rec, exp in unseen_pairs(registry_for):
            score_pair(tally(f"unseen {kind}"), f"{plan} {kind}", rec, exp, vocabulary)
            ids[f"unseen {plan}"].add(plan_id_of(rec))
    extract.load_rules = bundled
    if a.plans:
        for plan, kind, rec, exp in plans_pairs(a.plans, tuple(a.kinds.split(","))):
            score_pair(tally(f"generated {kind}"), f"{plan} {kind}", rec, exp, vocabulary)
            ids[f"generated {plan}"].add(plan_id_of(rec))
    print(HEAD)
    for t in tallies.values():
        print(t.line())
    if a.load and loaded:
        print("\n" + load_figures(loaded, a.v))
    split = {k: v for k, v in ids.items() if len(v) > 1}
    print(f"\nplan ids: {len(ids)} plans, {sum(len(v) for v in ids.values())} ids "
          f"({len(split)} plans with more than one id)")
    if a.v:
        for t in tallies.values():
            for n in t.notes:
                print("  " + n)
        for k, v in split.items():
            print(f"  plan {k}: {sorted(v)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
