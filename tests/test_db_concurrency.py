"""Loads into one database at once: every load succeeds and each document is there once
(SQLite: a busy timeout and immediate transactions; both backends: a document that lost a
race to another loader is loaded again)."""
from __future__ import annotations

import multiprocessing as mp

import pytest
from sqlalchemy import func, select

from kehoach.outputs import db
from test_db import postgres_url  # noqa: F401 - the session's PostgreSQL server fixture

LOADERS = 3


def _load(url: str, out_dir: str, start, results) -> None:
    start.wait()
    report = db.load_records([out_dir], url)
    results.put((len(report.loaded) + len(report.replaced), [f.error for f in report.failed]))


def _load_at_once(url: str, out_dir: str) -> list[tuple[int, list[str]]]:
    ctx = mp.get_context("fork")
    start, results = ctx.Barrier(LOADERS), ctx.Queue()
    procs = [ctx.Process(target=_load, args=(url, out_dir, start, results)) for _ in range(LOADERS)]
    for p in procs:
        p.start()
    got = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return got


def _documents(url: str) -> tuple[int, int]:
    engine = db.url_to_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(func.count(), func.count(func.distinct(db.documents.c.sha256)))
                                .select_from(db.documents)).one()
        return tuple(rows)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_loads_at_once_all_succeed_with_one_copy_each(backend, request, tmp_path, gold, write_out_dir):
    out = write_out_dir(tmp_path / "out", gold)
    for round_ in range(3):  # a fresh database each round: the schema is created in the race too
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'k{round_}.db'}"
        else:
            url = request.getfixturevalue("postgres_url")
            engine = db.url_to_engine(url)
            db.drop_schema(engine)
            engine.dispose()
        got = _load_at_once(url, str(out))
        assert all(not failed for _, failed in got), got
        assert all(n == len(gold) for n, _ in got), got
        assert _documents(url) == (len(gold), len(gold))

