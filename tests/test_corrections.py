"""Stable item ids and the corrections store: corrections survive ingest, ingest --force,
records made again after an upgrade, and kehoach extract; lost targets are reported."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kehoach.cli import app
from kehoach.core.folding import fold
from kehoach.extract.item_ids import assign_item_ids, items_to_ids
from kehoach.pipeline import corrections as C
from kehoach.pipeline.record_files import path_to_document
from kehoach.pipeline.rerun import reextract
from kehoach.schema import Document

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PDF = SAMPLES / "001-son-la.pdf"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """The Sơn La born-digital sample read once by `kehoach ingest` (a real record)."""
    out = tmp_path_factory.mktemp("ingested")
    res = runner.invoke(app, ["ingest", str(PDF), "--out", str(out), "--jobs", "1", "-q"])
    assert res.exit_code == 0, res.output
    return out / "001-son-la.json"


@pytest.fixture
def out(tmp_path, ingested) -> Path:
    shutil.copy(ingested, tmp_path / ingested.name)
    return tmp_path


def _doc(out: Path) -> Document:
    return path_to_document(out / "001-son-la.json")


def test_every_item_has_a_unique_id_and_the_document_its_plan_id(ingested):
    doc = path_to_document(ingested)
    ids = [it.id for it in doc.tasks + doc.targets]
    assert all(ids) and len(set(ids)) == len(ids) == 33
    assert doc.doc_id == doc.plan_id and doc.doc_id.startswith("plan-")
    # the plan numbers 1-4 twice under 'Mục tiêu năm 2025': the second run gets -2
    assert [t.id[-2:] == "-2" for t in doc.targets[:8]] == [False] * 4 + [True] * 4


def test_ids_do_not_change_with_reextraction_or_marks_and_case_of_headings(ingested):
    doc = path_to_document(ingested)
    again = reextract(doc)
    assert [t.id for t in again.tasks] == [t.id for t in doc.tasks]
    reread = doc.model_copy(deep=True)
    for t in reread.tasks:  # OCR that lost the marks and upper-cased a heading
        t.section = fold(t.section or "").upper()
        t.appendix = fold(t.appendix or "") + "."
    assign_item_ids(reread)
    assert [t.id for t in reread.tasks] == [t.id for t in doc.tasks]


def test_an_item_without_ordinal_is_placed_by_its_first_words(ingested):
    doc = path_to_document(ingested)
    bare = [t.model_copy(update={"ordinal": None}) for t in doc.tasks[:3]]
    ids = items_to_ids("task", bare)
    longer = [t.model_copy(update={"text": t.text + " (tiếp)"}) for t in bare]
    assert ids == items_to_ids("task", longer)  # the first words place it, not the tail
    assert len(set(ids)) == 3


def _lead(name: str) -> list[dict]:
    return [{"raw": name, "name": name, "known": True}]


def _review(out: Path) -> C.CorrectionStore:
    """The four corrections of the issue: a lead unit, a deadline, an extra item deleted,
    a missed item added; and one item accepted."""
    doc = _doc(out)
    store = C.new_store(doc, "001-son-la")
    t0, t1, t2, t3 = doc.tasks[:4]
    C.correct_field(store, "task", t0, "lead_units", _lead("Sở Nội vụ"), by="lan")
    C.correct_field(store, "task", t1, "deadline",
                    {"raw": "30/9/2025", "kind": "date", "start": "2025-09-30", "end": "2025-09-30"}, by="lan")
    C.delete_item(store, "task", t2, by="lan")
    C.add_item(store, "task", {"text": "Nhiệm vụ bị bỏ sót <script>alert(1)</script>",
                               "lead_units": _lead("Văn phòng UBND tỉnh")}, after=t3.id, by="lan")
    C.accept_item(store, "task", t3, by="lan")
    C.write_store(C.store_path(out, "001-son-la"), store)
    return store


def _check_corrected(doc: Document, original: Document) -> None:
    t0, t1, t2, t3 = original.tasks[:4]
    by_id = {t.id: t for t in doc.tasks}
    assert [u.name for u in by_id[t0.id].lead_units] == ["Sở Nội vụ"]
    assert by_id[t0.id].review.corrected == ["lead_units"]
    assert by_id[t0.id].review.extracted["lead_units"][0]["name"] == t0.lead_units[0].name
    assert by_id[t1.id].deadline.end == "2025-09-30" and by_id[t1.id].review.corrected == ["deadline"]
    assert t2.id not in by_id and [d.item["id"] for d in doc.review.deleted] == [t2.id]
    added = [t for t in doc.tasks if t.review and t.review.added]
    assert [t.text for t in added] == ["Nhiệm vụ bị bỏ sót <script>alert(1)</script>"]
    assert doc.tasks.index(added[0]) == doc.tasks.index(by_id[t3.id]) + 1  # after the one it follows
    assert by_id[t3.id].review.accepted and by_id[t3.id].reviewed
    assert len(doc.tasks) == len(original.tasks)  # one deleted, one added
    assert doc.review.status == "in-review" and doc.review.corrections == 4
    assert doc.review.items_reviewed == 4 and not doc.review.unmatched


def test_corrections_survive_extract_ingest_force_and_an_upgrade(out):
    original = _doc(out)
    _review(out)
    res = runner.invoke(app, ["extract", str(out / "001-son-la.json")])
    assert res.exit_code == 0 and "4 corrections applied" in res.output
    _check_corrected(_doc(out), original)
    res = runner.invoke(app, ["ingest", str(PDF), "--out", str(out), "--jobs", "1", "-q", "--force"])
    assert res.exit_code == 0, res.output
    _check_corrected(_doc(out), original)
    # a record made by another version's rules is made again from its saved pages
    rec = json.loads((out / "001-son-la.json").read_text(encoding="utf-8"))
    rec["produced_by"]["options"] = rec["produced_by"]["options"].split("-")[0] + "-0000000000000000"
    (out / "001-son-la.json").write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(PDF), "--out", str(out), "--jobs", "1"])
    assert res.exit_code == 0 and "from their saved pages" in res.output, res.output
    _check_corrected(_doc(out), original)


def _review_with_a_gone_item(out):
    """The reviews of ``_review`` and a correction of a task this extraction does not have;
    return the store's path."""
    _review(out)
    path = C.store_path(out, "001-son-la")
    store = C.read_store(path)
    store.items["task-0000000000"] = C.ItemCorrections(
        kind="task", ordinal="z", text="Một nhiệm vụ mà lần trích xuất này không có",
        fields={"notes": C.FieldCorrection(value="ghi chú", by="lan", at=C.now())})
    C.write_store(path, store)
    return path


def test_the_batch_summary_counts_the_corrections_it_applied(out):
    _review_with_a_gone_item(out)
    res = runner.invoke(app, ["ingest", str(PDF), "--out", str(out), "--jobs", "1", "--force"])
    assert res.exit_code == 0, res.output
    summary = [line for line in res.output.splitlines() if "pages read in" in line]
    assert len(summary) == 1 and summary[0].endswith(
        "; 4 reviewers' correction(s) applied to 1 record(s), 1 not applied (their item is gone; kept)"), summary
    assert _doc(out).review.corrections == 4


def test_a_batch_without_corrections_says_nothing_of_them(tmp_path):
    res = runner.invoke(app, ["ingest", str(PDF), "--out", str(tmp_path), "--jobs", "1"])
    assert res.exit_code == 0 and "pages read in" in res.output
    assert "correction" not in res.output


def test_stripping_corrections_gives_back_the_extraction(out):
    original = _doc(out)
    store = _review(out)
    corrected = C.apply_corrections(original, store, "corrections/001-son-la.json")
    assert C.strip_corrections(corrected).model_dump() == original.model_dump()
    # applying to a record that holds corrections already is the same as applying once
    twice = C.apply_corrections(corrected, store, "corrections/001-son-la.json")
    assert twice.model_dump() == corrected.model_dump()


def test_a_correction_whose_item_is_gone_is_reported_and_kept(out):
    path = _review_with_a_gone_item(out)
    before = path.read_text(encoding="utf-8")
    res = runner.invoke(app, ["extract", str(out)])
    assert res.exit_code == 0
    assert "1 correction(s) not applied" in res.output
    assert "4 corrections applied, 1 not applied" in res.output   # the gone one not counted twice
    doc = _doc(out)
    assert [(u.item_id, u.what) for u in doc.review.unmatched] == [("task-0000000000", "notes")]
    assert any(w.stage == "review" and "task-0000000000" in w.message for w in doc.warnings)
    assert path.read_text(encoding="utf-8") == before  # never dropped from the store


def test_a_correction_follows_its_item_when_the_heading_is_read_otherwise(out):
    original = _doc(out)
    _review(out)
    t0 = original.tasks[0]
    reread = original.model_copy(deep=True)
    reread.tasks[0].section = "Một tiêu đề đọc khác hẳn"
    assign_item_ids(reread)
    assert reread.tasks[0].id != t0.id
    corrected = C.apply_store(reread, out, "001-son-la")
    assert [u.name for u in corrected.tasks[0].lead_units] == ["Sở Nội vụ"]
    assert "re-attached" in " ".join(corrected.tasks[0].warnings)
    assert corrected.review.unmatched == []


def test_an_unreadable_store_leaves_the_record_as_extracted_and_says_so(out):
    path = C.store_path(out, "001-son-la")
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    doc = C.apply_store(_doc(out), out, "001-son-la")
    assert doc.review is None
    assert any(w.stage == "review" and "not valid" in w.message for w in doc.warnings)
    assert path.read_text(encoding="utf-8") == "{not json"


def test_the_store_is_readable_json_sorted_for_diffs(out):
    _review(out)
    text = C.store_path(out, "001-son-la").read_text(encoding="utf-8")
    assert "Sở Nội vụ" in text  # not \\u-escaped
    data = json.loads(text)
    assert data["format"] == "kehoach-corrections/1" and data["record"] == "001-son-la"
    assert list(data) == sorted(data)


def test_an_id_that_now_names_another_item_does_not_take_its_correction(out):
    original = _doc(out)
    _review(out)
    t0, t1 = original.tasks[:2]
    reread = original.model_copy(deep=True)
    # another OCR run read the ordinals a and b the other way round: the ids swap texts
    reread.tasks[0].ordinal, reread.tasks[1].ordinal = t1.ordinal, t0.ordinal
    assign_item_ids(reread)
    assert reread.tasks[0].id == t1.id and reread.tasks[0].text == t0.text
    corrected = C.apply_store(reread, out, "001-son-la")
    by_text = {t.text: t for t in corrected.tasks}
    assert [u.name for u in by_text[t0.text].lead_units] == ["Sở Nội vụ"]  # followed its text
    assert by_text[t1.text].deadline.end == "2025-09-30"
    assert corrected.review.unmatched == []


def test_a_speck_before_a_heading_does_not_move_ids(ingested):
    doc = path_to_document(ingested)
    specked = doc.model_copy(deep=True)
    for t in specked.tasks:
        t.section = "H„I " + (t.section or "")
    assign_item_ids(specked)
    assert [t.id for t in specked.tasks] == [t.id for t in doc.tasks]


def test_the_store_lock_is_held_across_processes(out):
    import subprocess
    import sys

    C.store_path(out, "x").parent.mkdir(parents=True)
    marker = out / "written-under-lock"
    code = ("import sys, time; from pathlib import Path; from kehoach.pipeline.corrections import store_lock\n"
            "with store_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(2)\n"
            "    Path(sys.argv[2]).write_text('done')\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(out), str(marker)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with C.store_lock(out):  # waits until the other process is done with the store
            assert marker.read_text() == "done"
    finally:
        proc.wait(timeout=30)


def test_the_documents_metadata_corrections_survive_and_strip_back(out):
    original = _doc(out)
    store = C.read_store(C.store_path(out, "001-son-la")) if C.store_path(out, "001-son-la").exists() \
        else C.new_store(original, "001-son-la")
    C.correct_document_field(store, original, "number", "170/KH-UBND", by="lan")
    C.correct_document_field(store, original, "issued_date", "2025-09-30", by="lan")
    C.correct_document_field(store, original, "signer",
                             {**original.metadata.signer.model_dump(mode="json"), "name": "Nguyễn Văn An"}, by="lan")
    C.correct_document_field(store, original, "title", original.metadata.title, by="lan")  # as extracted: none
    assert sorted(store.document) == ["issued_date", "number", "signer"] and store.corrections() == 3
    C.write_store(C.store_path(out, "001-son-la"), store)
    res = runner.invoke(app, ["extract", str(out / "001-son-la.json")])
    assert res.exit_code == 0 and "3 corrections applied" in res.output, res.output
    res = runner.invoke(app, ["ingest", str(PDF), "--out", str(out), "--jobs", "1", "-q", "--force"])
    assert res.exit_code == 0, res.output
    doc = _doc(out)
    assert (doc.metadata.number, doc.metadata.issued_date, doc.metadata.signer.name) == ("170/KH-UBND", "2025-09-30", "Nguyễn Văn An")
    assert doc.metadata.signer.title == original.metadata.signer.title          # the rest of the signer as printed
    assert doc.review.corrected == ["issued_date", "number", "signer"]
    assert doc.review.extracted["number"] == original.metadata.number == "169/KH-UBND"
    assert doc.review.status == "in-review" and doc.review.corrections == 3
    assert doc.plan_id == original.plan_id                    # the plan's identity as read
    assert C.strip_corrections(doc).model_dump() == C.strip_corrections(original).model_dump()
    res = runner.invoke(app, ["export", str(out), "-f", "jsonl", "--out", str(out.parent / "tables")])
    assert res.exit_code == 0, res.output
    row = json.loads((out.parent / "tables" / "documents.jsonl").read_text("utf-8"))
    assert (row["document_number"], row["issued_date"], row["signer_name"]) == (
        "170/KH-UBND", "2025-09-30", "Nguyễn Văn An")
    assert row["corrected_fields"] == "issued_date, number, signer" and row["review_status"] == "in-review"
    # taking a correction back: the value extraction read
    C.correct_document_field(store, original, "number", original.metadata.number, by="lan")
    assert sorted(store.document) == ["issued_date", "signer"]


def test_a_document_correction_the_record_cannot_hold_is_a_warning(out):
    original = _doc(out)
    store = C.new_store(original, "001-son-la")
    with pytest.raises(Exception):
        C.correct_document_field(store, original, "signer", "not a signer", by="lan")
    store.document["signer"] = C.FieldCorrection(value="not a signer", by="lan", at=C.now())
    C.write_store(C.store_path(out, "001-son-la"), store)
    res = runner.invoke(app, ["extract", str(out / "001-son-la.json")])
    assert res.exit_code == 0
    doc = _doc(out)
    assert doc.metadata.signer == original.metadata.signer and doc.review.corrected == []
    assert any(w.stage == "review" and "signer not applied" in w.message for w in doc.warnings)
