"""The generated plan families (bench/plans): catalogue, seeded drawing, gold records, rendering,
the committed subset and `kehoach bench generality` on it."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from kehoach.bench.plans.build import SUBSET, SUBSET_FAMILIES, PlanRef, plan_paths, plan_refs
from kehoach.bench.plans.catalogue import load_catalogue, load_words
from kehoach.bench.plans.draw import draw_plan


def _draw(ref: PlanRef):
    return draw_plan(load_catalogue().family(ref.family), ref.seed, ref.plan_id)


def test_catalogue_has_fifteen_families_each_with_its_source():
    cat = load_catalogue()
    assert len(cat.families) >= 28
    assert all(f.learned_from.strip() for f in cat.families)
    # the families cover the layouts issue 12 names: in-cell units, no ordinal column,
    # one-year value columns, column-number and total rows, Đ in the letter groups
    apps = [a for f in cat.families for a in f.appendices]
    assert any("units" in [c.role for c in a.columns] for a in apps)
    assert any(a.ordinal != "column" for a in apps)
    assert any(a.value_deadline == "header_year" for a in apps)
    assert any(a.column_numbers for a in apps) and any(a.total_row for a in apps)
    assert any(a.groups == "letter" for a in apps)


def test_words_and_catalogue_reject_a_bad_family():
    from pydantic import ValidationError

    from kehoach.bench.plans.catalogue import Family

    bad = {"id": "x", "learned_from": "test", "issuer": "commune",
           "appendices": [{"items": "tasks", "title": ["T"], "deadlines": ["month"],
                           "columns": [{"role": "lead", "headers": ["Cơ quan chủ trì"], "width": 10}]}]}
    with pytest.raises(ValidationError, match="text column"):
        Family.model_validate(bad)
    assert load_words().units["commune"]


def test_same_seed_same_plan_other_seed_other_plan():
    ref = PlanRef("grouped-letter-items", 3)
    a, b = _draw(ref), _draw(ref)
    assert a.records == b.records
    assert _draw(PlanRef("grouped-letter-items", 4)).records != a.records


def test_three_hundred_plans_draw_with_consistent_gold():
    refs = plan_refs(per_family=20)
    assert len(refs) >= 300
    kinds = {"date", "month", "quarter", "year", "multiple", "recurring", "conditional", "none"}
    for ref in refs:
        plan = _draw(ref)
        rec = plan.records
        items = rec["targets"] + rec["tasks"]
        assert items, ref.plan_id
        for it in items:
            d = it["deadline"]
            if d is not None:
                assert d["kind"] in kinds
                if d["kind"] in ("recurring", "conditional"):
                    assert d["start"] is None and d["end"] is None
                else:
                    assert dt.date.fromisoformat(d["start"]) <= dt.date.fromisoformat(d["end"]), it
            assert all(isinstance(u, str) and u for u in it["lead_units"] + it["cooperating_units"])
            assert not set(it["lead_units"]) & set(it["cooperating_units"])
        for it in rec["targets"]:
            assert it["values"], it
        for app in plan.appendices:
            for row in app.rows:
                if row.kind in ("item", "colnums"):
                    assert len(row.cells) == len(app.headers), (ref.plan_id, row)


def test_survey_21_families_print_their_layout_facts():
    """The five families of the session-21 survey (S15-S20) print what makes them new: a date
    column first, capital headers with a submission level, "Nhóm I:" groups with numbering
    restarting, and figure or office columns that belong to no field of the gold items."""
    w = load_words()

    def items_rows(plan):
        return [r for r in plan.appendices[0].rows if r.kind == "item"]

    sched = _draw(PlanRef("schedule-date-first", 0))
    assert sched.appendices[0].spec.columns[0].role == "deadline"
    assert [r.cells[0] for r in items_rows(sched)] == [t["deadline"]["raw"] for t in sched.records["tasks"]]
    assert all(t["ordinal"] is None for t in sched.records["tasks"])

    caps = _draw(PlanRef("submission-level-caps", 1))
    headers = caps.appendices[0].headers
    assert all(h == h.upper() for h in headers) and "CẤP TRÌNH" in headers
    col = headers.index("CẤP TRÌNH")
    units = {u for t in caps.records["tasks"] for u in t["lead_units"] + t["cooperating_units"]}
    levels = {r.cells[col] for r in items_rows(caps)}
    assert levels <= set(w.levels) and not levels & units

    nhom = _draw(PlanRef("nhom-roman-restart", 2))
    groups = [r.text for r in nhom.appendices[0].rows if r.kind == "group"]
    assert groups[0].startswith("Nhóm I: ") and groups[1].startswith("Nhóm II: ")
    assert [t["ordinal"] for t in nhom.records["tasks"]].count("1") == len(groups)

    follow = _draw(PlanRef("follow-up-office-column", 0))
    col = follow.appendices[0].headers.index("Đơn vị theo dõi, đôn đốc")
    units = {u for t in follow.records["tasks"] for u in t["lead_units"] + t["cooperating_units"]}
    assert {r.cells[col] for r in items_rows(follow)} <= set(w.monitors) - units

    ind = _draw(PlanRef("indicator-plan-beside-estimate", 0))
    heads = ind.appendices[0].headers
    plan_col = next(i for i, h in enumerate(heads) if h.startswith(("Kế hoạch năm", "KH năm")))
    assert plan_col > heads.index("Thực hiện năm trước")
    assert [r.cells[plan_col] for r in items_rows(ind)] == [t["values"][0]["raw"] for t in ind.records["targets"]]


def test_letter_groups_put_dj_after_d():
    from kehoach.bench.plans.draw import LETTERS_UPPER

    assert LETTERS_UPPER[3:5] == ["D", "Đ"]


def test_gold_scores_perfectly_against_itself():
    from kehoach.outputs.compare import compare_records

    rec = _draw(PlanRef("targets-multi-year", 0)).records
    score = compare_records(rec, rec)
    assert score.items.f1 == 1.0 and score.targets.values.accuracy == 1.0


def test_rendered_pdf_prints_every_item_and_header():
    import pdfplumber

    from kehoach.bench.plans.render import plan_to_pdf_bytes

    plan = _draw(PlanRef("numbered-columns-budget", 1))
    data = plan_to_pdf_bytes(plan)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
        orientations = {p.width > p.height for p in pdf.pages}
    assert orientations == {False, True}  # portrait body, landscape appendix
    for h in plan.appendices[0].headers:
        assert h.split()[0] in text
    assert "(1)" in text and "(2)" in text  # the column-number row
    for it in plan.records["tasks"]:
        assert " ".join(it["text"].split()[:4]) in text, it["text"]


def test_committed_subset_is_what_the_generator_draws():
    for family in SUBSET_FAMILIES:
        ref = PlanRef(family, 0)
        paths = plan_paths(SUBSET, ref)
        for kind in ("records", "pdf", "ocr"):
            assert paths[kind].is_file(), paths[kind]
        assert json.loads(paths["records"].read_text(encoding="utf-8")) == _draw(ref).records
        ocr = paths["ocr"].read_text(encoding="utf-8")
        # old OCR text: the English model loses the Vietnamese letters
        assert "Ủy" not in ocr and "ệ" not in ocr and len(ocr) > 500


def test_bench_generality_prints_a_row_per_family_on_the_subset(tmp_path):
    from typer.testing import CliRunner

    from kehoach.cli import app

    out = tmp_path / "scores.json"
    args = ["bench", "generality", "--out", str(SUBSET), "--per-family", "1", "--kinds", "pdf,ocr",
            "--json", str(out)]
    for f in SUBSET_FAMILIES:
        args += ["--family", f]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    for f in SUBSET_FAMILIES:
        assert f"| {f} | pdf | 1 |" in res.output and f"| {f} | ocr | 1 |" in res.output
    assert "| **all families** | pdf | 3 |" in res.output
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert len(scores) == 6 and not any(s["error"] for s in scores)
    assert all(s["tp"] + s["fn"] > 0 for s in scores)


def test_bench_generality_rejects_an_unknown_kind():
    from typer.testing import CliRunner

    from kehoach.cli import app

    res = CliRunner().invoke(app, ["bench", "generality", "--kinds", "pdf,fax"])
    assert res.exit_code == 2 and "fax" in res.output


def test_group_column_prints_the_group_title_once_per_group():
    plan = _draw(PlanRef("tasks-group-column-ten", 0))
    app = plan.appendices[0]
    col = app.headers.index("Nhóm nhiệm vụ")
    items = plan.records["tasks"]
    rows = [r for r in app.rows if r.kind == "item"]
    assert not [r for r in app.rows if r.kind == "group"]  # no group rows: the column holds them
    for row, it, prev in zip(rows, items, [None] + items[:-1]):
        first = prev is None or prev["section"] != it["section"]
        assert row.cells[col] == (it["section"] if first else ""), (row.cells, it["section"])


def test_start_column_is_before_the_end_column_and_only_the_end_is_the_deadline():
    import re

    plan = _draw(PlanRef("phase-start-end", 2))
    app = plan.appendices[0]
    s, e = app.headers.index("Bắt đầu"), app.headers.index("Kết thúc")
    for row, it in zip([r for r in app.rows if r.kind == "item"], plan.records["tasks"]):
        assert row.cells[e] == it["deadline"]["raw"]
        m, y = map(int, re.search(r"(\d{1,2})/(\d{4})$", row.cells[s]).groups())
        assert dt.date(y, m, 1) <= dt.date.fromisoformat(it["deadline"]["end"])


def test_new_families_keep_the_old_families_plans():
    # families added later draw from the same words without changing any earlier plan
    rec = _draw(PlanRef("kpi-one-year", 0)).records
    assert rec == json.loads(plan_paths(SUBSET, PlanRef("kpi-one-year", 0))["records"].read_text(encoding="utf-8"))


def test_held_out_plans_are_other_seeds():
    tuned = plan_refs(["matrix-due-priority"], 5)
    held = plan_refs(["matrix-due-priority"], 5, start=100)
    assert [r.k for r in held] == list(range(100, 105))
    assert not {r.seed for r in tuned} & {r.seed for r in held}


def test_bench_generality_reextracts_saved_records(tmp_path):
    from kehoach.bench.generality import run_generality

    fam = ["kpi-one-year"]
    first = run_generality(SUBSET, fam, 1, ("pdf",), build=False, records=tmp_path)
    saved = tmp_path / "kpi-one-year-000.pdf.json"
    assert saved.is_file()
    again = run_generality(SUBSET, fam, 1, ("pdf",), build=False, records=tmp_path)
    assert (again[0].tp, again[0].fp, again[0].fn) == (first[0].tp, first[0].fp, first[0].fn)
