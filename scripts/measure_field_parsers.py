"""Measure the field parsers (deadlines, values, metadata, units) against the gold records.

    .venv/bin/python scripts/measure_field_parsers.py            # parsers alone on gold strings/text
    .venv/bin/python scripts/measure_field_parsers.py --lodo     # + unit registry leave-one-document-out

Deadlines: every distinct gold deadline.raw parsed (plan year 2025), kind/start/end compared.
Values: prose targets parse their gold text, table targets their gold cells (row units filled).
Metadata: extract_metadata on gold text (blank lines dropped, as the extract stage feeds it)
and on raw old-OCR text. Units (--lodo): the extract stage on samples/<plan>.pdf with the
registry minus every canonical name that only that plan's gold records use.
"""
from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from kehoach.core.corpus import CORPUS
from kehoach.extract.rules import load_rules as load_extract_rules  # noqa: E402

RULES = load_extract_rules()

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PLANS = ("000-cho-don", "001-son-la", "003-xa", "004-tan-ky")
META = ("number", "doc_type", "issuer", "place", "issued_date", "title", "signer", "references")


def gold(plan: str) -> dict:
    return json.loads((CORPUS / "gold" / f"{plan}.records.json").read_text(encoding="utf-8"))


def items(rec: dict) -> list[dict]:
    return (rec.get("targets") or []) + (rec.get("tasks") or [])


def measure_deadlines() -> None:
    from kehoach.extract.deadlines import parse_deadline
    seen, ok, bad = set(), 0, []
    for plan in PLANS:
        for it in items(gold(plan)):
            d = it.get("deadline")
            if not d or d["raw"] in seen:
                continue
            seen.add(d["raw"])
            r = parse_deadline(d["raw"], 2025, RULES.deadlines)
            if (r.kind, r.start, r.end) == (d["kind"], d["start"], d["end"]):
                ok += 1
            else:
                bad.append((d["raw"], (d["kind"], d["start"], d["end"]), (r.kind, r.start, r.end)))
    print(f"deadlines: {ok}/{ok + len(bad)} distinct gold phrasings (kind, start, end) exact")
    for b in bad:
        print("   ", b)


def measure_values() -> None:
    from kehoach.extract.values import fill_row_units, parse_values
    ok = total = 0
    for plan in PLANS:
        for t in gold(plan).get("targets") or []:
            exp = t.get("values", [])
            in_text = [re.search(rf"(?<!\w){re.escape(e['raw'])}(?!\w)", t["text"]) for e in exp]
            if exp and not any(in_text):  # a table row: one cell per year
                got = fill_row_units([v for e in exp for v in parse_values(e["raw"], e["year"], RULES.values)], t["text"], RULES.values)
            else:
                got = parse_values(t["text"], exp[0]["year"] if exp else 2025, RULES.values)
            total += 1
            same = [(v.year, v.value, v.unit, v.comparator, v.raw) for v in got] == \
                   [(e["year"], e["value"], e["unit"], e["comparator"], e["raw"]) for e in exp]
            ok += same
            if not same:
                print("    value mismatch", plan, t.get("ordinal"), t["text"][:60])
    print(f"values: {ok}/{total} targets with all values exact (year, value, unit, comparator, raw)")


def measure_metadata() -> None:
    from kehoach.extract.metadata import extract_metadata
    for kind in ("gold", "raw"):
        ok = total = 0
        for plan in PLANS:
            path = CORPUS / kind / f"{plan}.txt"
            path = path if path.exists() else CORPUS / "raw" / f"{plan}.txt"
            lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
            m, g = extract_metadata(lines, RULES.metadata, RULES.units), gold(plan)
            for k in META:
                got = m[k]
                if k == "references":
                    got = [{f: r.model_dump()[f] for f in ("kind", "number", "date", "issuer")} for r in got]
                total += 1
                ok += got == g.get(k)
        print(f"metadata on {kind} text: {ok}/{total} fields exact ({', '.join(META)})")


def measure_units_lodo() -> None:
    import yaml

    import dataclasses

    from kehoach import extract
    from kehoach.extract.rules import DATA
    from kehoach.extract.unit_data import UnitData
    from kehoach.extract.units import UnitRegistry
    from kehoach.outputs.compare import compare_records
    from kehoach.pipeline.runner import process_file
    from kehoach.core.settings import Settings

    seen = defaultdict(set)
    for plan in PLANS:
        for it in items(gold(plan)):
            for u in it.get("lead_units", []) + it.get("cooperating_units", []):
                seen[u].add(plan)
    full_file = DATA / "units.yaml"
    bundled = extract.load_rules
    for plan in PLANS:
        pdf = ROOT / "samples" / f"{plan}.pdf"
        if not pdf.exists():
            print(f"units LODO {plan}: skipped (no {pdf.name})")
            continue
        only = {n for n, docs in seen.items() if docs == {plan}}
        data = yaml.safe_load(full_file.read_text(encoding="utf-8"))
        data["units"] = [e for e in data["units"] if e["name"] not in only]
        lodo = dataclasses.replace(RULES, units=UnitRegistry.from_data(UnitData.model_validate(data),
                                                                       RULES.units.forms))
        row = []
        for label, bundle in (("full", RULES), ("lodo", lodo)):
            extract.load_rules = lambda b=bundle: b  # the stage's one load, this registry in it
            doc = extract.run(process_file(pdf, Settings(extract=False)))
            s = compare_records(gold(plan), doc)
            row.append(f"{label}: " + " ".join(
                f"{k}.lead {getattr(s, k).lead_units.accuracy:.2f} {k}.coop {getattr(s, k).cooperating_units.accuracy:.2f}"
                for k in ("targets", "tasks") if getattr(s, k).lead_units.accuracy is not None))
        extract.load_rules = bundled
        print(f"units {plan} (pdf; lodo drops {len(only)} names): " + " | ".join(row))


if __name__ == "__main__":
    measure_deadlines()
    measure_values()
    measure_metadata()
    if "--lodo" in sys.argv:
        measure_units_lodo()
