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


def test_dask_finishes_saved_pages_again_when_only_the_model_changed(tmp_path):
    import gzip

    from kehoach.core.settings import BUNDLED_MODEL

    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "plan.pdf", [BODY])
    inputs = collect_inputs([src])
    run_batch(inputs, tmp_path / "out", Settings(jobs=1), executor="dask")
    first = json.loads((tmp_path / "out" / "plan.json").read_text("utf-8"))
    model = tmp_path / "model.json.gz"  # the same model in other bytes: another fingerprint
    model.write_bytes(gzip.compress(gzip.decompress(BUNDLED_MODEL.read_bytes()), compresslevel=1, mtime=0))
    settings = Settings(jobs=1, model=str(model))
    again = run_batch(inputs, tmp_path / "out", settings, executor="dask")
    assert [p.name for p in again.refinished] == ["plan.pdf"] and not again.failed, again.messages
    second = json.loads((tmp_path / "out" / "plan.json").read_text("utf-8"))
    assert second["produced_by"]["options"] == settings.fingerprint() != first["produced_by"]["options"]
    assert {k: v for k, v in second.items() if k != "produced_by"} == \
        {k: v for k, v in first.items() if k != "produced_by"}
