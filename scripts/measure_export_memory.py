"""Measure peak memory and time of `kehoach export` on a big batch of records.

    .venv/bin/python scripts/measure_export_memory.py --records out --copies 100 --format xlsx
    .venv/bin/python scripts/measure_export_memory.py --copies 400 --format xlsx   # gold records

Writes ``copies`` copies of every record (each its own plan: its own doc_id, plan_id and
source path) into a temporary folder, then runs ``kehoach export`` over it in a child
process and prints its peak resident memory (ru_maxrss) and wall/CPU time. Compare two
versions by running both on one machine, alternated, and taking ratios.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_batch(folder: Path, records: Path | None, copies: int) -> int:
    """Given a folder, write ``copies`` copies of each record into it; return how many."""
    from kehoach.pipeline.record_files import RecordStream
    from kehoach.pipeline.records import write_record

    if records:
        docs = list(RecordStream([records], pages=False))
    else:
        from kehoach.core.corpus import GOLD
        from kehoach.outputs.gold import gold_dir_to_documents

        docs = list(gold_dir_to_documents(GOLD).values())
    n = 0
    for k in range(copies):
        for i, doc in enumerate(docs):
            d = doc.model_copy(deep=False)
            d.plan_id = f"plan-{k:06d}{i:010d}"
            d.doc_id = d.plan_id
            d.source = d.source.model_copy(update={"path": f"{k}/{Path(doc.source.path).name}"})
            write_record(folder, f"{k:05d}-{i:03d}", d)
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=Path, help="a folder of records (default: the gold records)")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--format", default="xlsx", choices=["csv", "xlsx", "parquet", "jsonl"])
    parser.add_argument("--keep", type=Path, help="write the batch here (and reuse it if present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        batch = args.keep or Path(tmp) / "batch"
        if not batch.exists():
            batch.mkdir(parents=True)
            n = write_batch(batch, args.records, args.copies)
        else:
            n = len([p for p in batch.glob("*.json") if not p.name.endswith(".error.json")])
        out = Path(tmp) / ("plans.xlsx" if args.format == "xlsx" else "tables")
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "kehoach", "export", str(batch), "-f", args.format,
                              "--out", str(out)], capture_output=True, text=True)
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run.returncode != 0:
            sys.exit(run.stderr)
        size = sum(p.stat().st_size for p in ([out] if out.is_file() else out.iterdir()))
        print(f"{n} records, {args.format}: peak RSS {usage.ru_maxrss / 1024:.0f} MB, wall {wall:.1f} s, "
              f"CPU {usage.ru_utime + usage.ru_stime:.1f} s, output {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
