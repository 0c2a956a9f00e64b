"""Measure the unit registry's fuzzy matching: false matches against noise rescued.

    .venv/bin/python scripts/measure_unit_fuzzy.py              # the bundled settings
    .venv/bin/python scripts/measure_unit_fuzzy.py --sweep      # min_score 80..98

False matches (leave-one-name-out): each canonical unit is taken out of the registry with
its aliases; its name and aliases are then resolved by the rest. Any answer other than
"unknown" is a unit the fuzzy matching would have confused with another one: the count must
stay 0 (a new province's unit must not be taken for a known one).

False matches of damaged names (leave-one-name-out too): the same, on copies of each name
damaged as OCR damages them, which the word repairs read back: one word's first letter lost
or misread, the words in reverse order. Read back when the entry is present ("repaired"),
they must never become another unit when it is absent.

Rescued: the unit names OCR damaged in the saved records of the scans (``--records DIR``,
default /tmp/b_rec; ``kehoach bench extract --save-records DIR`` or ``kehoach ingest --out``
writes them) that resolve to a known unit, out of all unit names read there.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kehoach.extract.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def leave_one_out_false_matches(data) -> list[tuple[str, str, str]]:
    """Given registry data, return (probe, its own canonical, what the rest resolved it to)
    for every name or alias another unit's entry swallows when its own entry is absent."""
    from kehoach.extract.units import UnitRegistry

    out = []
    for i, entry in enumerate(data.units):
        rest = data.model_copy(update={"units": data.units[:i] + data.units[i + 1:]})
        reg = UnitRegistry.from_data(rest, load_rules().units.forms)
        for probe in [entry.name, *entry.aliases]:
            u = reg.resolve(probe)
            # a name a level completes ("Công an" + xã) or the same words: not a confusion
            if u.known and reg.key(u.name) != reg.key(probe):
                out.append((probe, entry.name, u.name))
    return out


def damaged(name: str) -> list[str]:
    """Given a unit name, return copies damaged as OCR damages words: per word of 3+ letters
    its first letter lost or misread ("l", or "c" for a word that starts with "l"), and the
    words in reverse order (3+ words)."""
    words = name.split()
    out = []
    for i, w in enumerate(words):
        if len(w) >= 3 and w.isalpha():
            for bad in (w[1:], ("c" if w[0].lower() == "l" else "l") + w[1:]):
                out.append(" ".join([*words[:i], bad, *words[i + 1:]]))
    if len(words) >= 3:
        out.append(" ".join(reversed(words)))
    return out


def damaged_false_matches(data) -> tuple[list[tuple[str, str, str]], int, int]:
    """Given registry data, return (damaged probe, its own canonical, what the rest resolved
    it to) for each damaged copy taken for another unit when its entry is absent, and
    (damaged copies read back to their own unit with the entry present, all copies)."""
    from kehoach.extract.units import UnitRegistry

    full = UnitRegistry.from_data(data, load_rules().units.forms)
    out, back, total = [], 0, 0
    for i, entry in enumerate(data.units):
        rest = UnitRegistry.from_data(data.model_copy(update={"units": data.units[:i] + data.units[i + 1:]}),
                                      load_rules().units.forms)
        for variant in [entry.name, *entry.aliases]:
            for probe in damaged(variant):
                total += 1
                back += full.resolve(probe).name == entry.name
                u = rest.resolve(probe)
                if u.known and rest.key(u.name) != rest.key(variant):
                    out.append((probe, entry.name, u.name))
    return out, back, total


def rescued(data, records: Path) -> tuple[int, int]:
    """Given registry data and a folder of saved scan records, return (units resolved,
    units read) over their items, extracted again with this registry."""
    import dataclasses

    from kehoach import extract
    from kehoach.pipeline.rerun import reextract
    from kehoach.extract.units import UnitRegistry
    from kehoach.pipeline.record_files import path_to_document

    bundle = dataclasses.replace(load_rules(), units=UnitRegistry.from_data(data, load_rules().units.forms))
    saved = extract.load_rules
    extract.load_rules = lambda: bundle  # the stage's one load of the rules, this registry in it
    try:
        known = total = 0
        for rec in sorted(records.glob("*scan*.json")):
            doc = reextract(path_to_document(rec))
            for it in [*doc.targets, *doc.tasks]:
                for u in [*it.lead_units, *it.cooperating_units]:
                    total += 1
                    known += u.known
        return known, total
    finally:
        extract.load_rules = saved


def main() -> None:
    import yaml

    from kehoach.extract.unit_data import UnitData
    from kehoach.extract.rules import DATA

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", action="store_true", help="try min_score 80..98")
    ap.add_argument("--records", type=Path, default=Path("/tmp/b_rec"))
    args = ap.parse_args()
    base = UnitData.model_validate(yaml.safe_load((DATA / "units.yaml").read_text(encoding="utf-8")))
    f = base.fuzzy
    grid = [(f.min_score, f.max_edits)]
    if args.sweep:
        grid = [(s, f.max_edits) for s in range(80, 100, 2)] + [(f.min_score, e) for e in (0, 1, 2)]
    print(f"{'min_score':>9} {'max_edits':>9} {'false':>5} {'rescued':>12} {'false(damaged)':>14} {'repaired':>10}")
    for score, edits in grid:
        data = base.model_copy(update={"fuzzy": f.model_copy(update={"min_score": score, "max_edits": edits})})
        false = leave_one_out_false_matches(data)
        known, total = rescued(data, args.records) if args.records.is_dir() else (0, 0)
        wrong, back, copies = damaged_false_matches(data)
        print(f"{score:>9} {edits:>9} {len(false):>5} {known:>5}/{total:<6} {len(wrong):>14} {back:>5}/{copies:<5}")
        for probe, own, got in false + wrong:
            print(f"          {probe!r} (of {own!r}) -> {got!r}")


if __name__ == "__main__":
    main()
