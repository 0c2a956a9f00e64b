"""--executor dask: the same per-document work on a Dask cluster gives the same records."""
from __future__ import annotations

import json

import pytest

from kehoach.pipeline.batch import collect_inputs, run_batch
from kehoach.core.settings import Settings
from pdf_factory import BODY, make_pdf

distributed = pytest.importorskip("distributed", reason="dask extra not installed")


def test_dask_local_cluster_matches_local_run(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        make_pdf(src / f"plan{i}.pdf", [BODY + f" Trang {i}.", BODY])
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\n%%EOF")
    settings = Settings(jobs=2, restore=False, extract=False)
    inputs = collect_inputs([src])
    local = run_batch(inputs, tmp_path / "local", settings)
    remote = run_batch(inputs, tmp_path / "dask", settings, executor="dask")
    assert [p.name for p in remote.failed] == ["broken.pdf"] == [p.name for p in local.failed]
    assert len(remote.written) == 3
    for rec in sorted((tmp_path / "local").glob("*.json")):
        other = tmp_path / "dask" / rec.name
        assert json.loads(rec.read_text("utf-8")) == json.loads(other.read_text("utf-8")), rec.name
