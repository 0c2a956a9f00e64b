"""Every input named or found ends as a record, an error record or a line saying why not:
names too long for the filesystem, stems that look like error records, symlink loops,
FIFOs, devices and folders named like inputs."""
from __future__ import annotations

import os
from pathlib import Path

from kehoach.pipeline.batch import collect_inputs, run_batch
from kehoach.pipeline.records import MAX_NAME_BYTES, output_names, stem_to_name
from kehoach.core.settings import Settings
from kehoach.schema import Document, ErrorRecord

TEXT_ONLY = Settings(jobs=1, restore=False, extract=False)
PLAN = "Kế hoạch số 5/KH-UBND\nTriển khai chuyển đổi số\n"


def _records(out: Path) -> dict[str, object]:
    """Given an output folder, return file name -> Document or ErrorRecord (each file must
    read back as exactly one of the two kinds)."""
    found = {}
    for f in sorted(out.glob("*.json")):
        text = f.read_text("utf-8")
        if f.name.endswith(".error.json"):
            found[f.name] = ErrorRecord.model_validate_json(text)
        else:
            found[f.name] = Document.model_validate_json(text)
    return found


def test_a_file_name_of_250_bytes_gets_a_record_under_a_shortened_hashed_name(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    long_a = "kế hoạch " * 18 + "a"          # 239 bytes with the suffix, multi-byte letters
    long_b = "kế hoạch " * 18 + "b"
    for stem in (long_a, long_b):
        (src / f"{stem}.txt").write_text(PLAN, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")     # an error record needs the same care
    long_bad = "x" * 246
    (src / f"{long_bad}.txt").write_bytes(b"")
    out = tmp_path / "out"
    report = run_batch(collect_inputs([src]), out, TEXT_ONLY)
    recs = _records(out)
    assert len(recs) == 4, sorted(recs)
    assert len(report.written) == 2 and len(report.failed) == 2
    for name in recs:
        assert len(name.encode()) <= 255
    docs = [r for r in recs.values() if isinstance(r, Document)]
    assert sorted(Path(d.source.path).stem for d in docs) == sorted([long_a, long_b])
    assert stem_to_name(long_a) != stem_to_name(long_b)
    assert len(stem_to_name(long_a).encode()) <= MAX_NAME_BYTES + 9


def test_a_stem_ending_in_error_is_not_written_as_an_error_record(tmp_path):
    """plan.error.txt beside plan.txt: each keeps its own record, both readable."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "plan.txt").write_text(PLAN, encoding="utf-8")
    (src / "plan.error.txt").write_text(PLAN.replace("5", "6"), encoding="utf-8")
    (src / "broken.txt").write_bytes(b"")
    (src / "broken.error.txt").write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out"
    report = run_batch(collect_inputs([src]), out, TEXT_ONLY)
    recs = _records(out)  # raises if a record file is not of its kind
    assert len(report.written) == 3 and len(report.failed) == 1
    sources = sorted(Path(r.source.path).name for r in recs.values() if isinstance(r, Document))
    assert sources == ["broken.error.txt", "plan.error.txt", "plan.txt"]
    errors = [r for r in recs.values() if isinstance(r, ErrorRecord)]
    assert [Path(e.source["path"]).name for e in errors] == ["broken.txt"]
    # a second run finds every record up to date: none was overwritten or removed
    again = run_batch(collect_inputs([src]), out, TEXT_ONLY)
    assert len(again.skipped) == 3 and len(again.failed) == 1


def test_names_stay_distinct_when_safe_names_collide():
    a, b = Path("/x/plan.error.txt"), Path("/y/plan.error.pdf")
    names = output_names([a, b])
    assert names[a] != names[b]
    assert not any(n.endswith(".error") for n in names.values())


def test_symlink_loops_fifos_and_devices_get_error_records_not_a_hang(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(PLAN, encoding="utf-8")
    os.symlink("loop-b.pdf", src / "loop-a.pdf")
    os.symlink("loop-a.pdf", src / "loop-b.pdf")
    os.mkfifo(src / "pipe.txt")              # no writer: opening it would block forever
    os.symlink("..", src / "parent")          # a folder link back up: not followed
    (src / "folder.pdf").mkdir()              # a folder named like a PDF is walked
    (src / "folder.pdf" / "inner.txt").write_text(PLAN, encoding="utf-8")
    ignored: list[Path] = []
    inputs = collect_inputs([src, "/dev/zero"], ignored)
    assert sorted(p.name for p in inputs) == ["good.txt", "inner.txt", "loop-a.pdf", "loop-b.pdf",
                                              "pipe.txt", "zero"]
    assert [p.name for p in ignored] == ["parent"]
    out = tmp_path / "out"
    report = run_batch(inputs, out, TEXT_ONLY)
    recs = _records(out)
    codes = {Path(r.source["path"]).name: r.error.code for r in recs.values() if isinstance(r, ErrorRecord)}
    assert codes == {"loop-a.pdf": "unreadable", "loop-b.pdf": "unreadable",
                     "pipe.txt": "not-a-file", "zero": "not-a-file"}
    assert any("symlink loop" in m for m in report.messages)
    assert any("FIFO" in m for m in report.messages)
    assert len(report.written) == 2
