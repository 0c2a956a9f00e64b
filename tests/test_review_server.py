"""The review server over HTTP: writes need the CSRF token, names outside the folder are
refused, plan text is escaped, page crops are real PNGs of the source page."""
from __future__ import annotations

import http.client
import json
import shutil
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

from kehoach.cli import app
from kehoach.outputs.review import make_server
from kehoach.pipeline import corrections as C
from kehoach.pipeline.record_files import path_to_document

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HOSTILE = 'Nhiệm vụ <script>alert(1)</script> "><img src=x onerror=alert(2)>'
runner = CliRunner()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("served")
    res = runner.invoke(app, ["ingest", str(SAMPLES / "001-son-la.pdf"), "--out", str(out), "--jobs", "1", "-q"])
    assert res.exit_code == 0, res.output
    rec = path_to_document(out / "001-son-la.json")
    rec.tasks[0].text = HOSTILE
    (out / "001-son-la.json").write_text(rec.model_dump_json(), encoding="utf-8")
    (out / "secret.txt").write_text("not a record", encoding="utf-8")
    return out


@pytest.fixture
def served(tmp_path, ingested):
    out = tmp_path / "out"
    shutil.copytree(ingested, out)
    srv, site = make_server(out, "127.0.0.1", 0, reviewer="lan", input_dirs=(SAMPLES,))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield out, srv.server_address[1], site
    srv.shutdown()
    srv.server_close()


def _request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), data


def test_plan_text_is_escaped_and_only_the_apps_script_runs(served):
    out, port, site = served
    status, headers, body = _request(port, "GET", "/doc/001-son-la")
    html = body.decode("utf-8")
    assert status == 200
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert html.count("<script") == 1  # review.js, by its own file


def test_a_write_without_the_token_is_refused(served):
    out, port, site = served
    doc = path_to_document(out / "001-son-la.json")
    item = doc.tasks[1].id
    form = urlencode({"lead_units": "Sở Nội vụ"})
    for headers in ({}, {"X-CSRF-Token": "wrong"}):
        status, _, _ = _request(port, "POST", f"/api/001-son-la/{item}/correct", form,
                                {"Content-Type": "application/x-www-form-urlencoded", **headers})
        assert status == 403
    assert not C.store_path(out, "001-son-la").exists()
    status, _, body = _request(port, "POST", f"/api/001-son-la/{item}/correct", form,
                               {"Content-Type": "application/x-www-form-urlencoded",
                                "X-CSRF-Token": site.token, "Accept": "application/json"})
    assert status == 200 and json.loads(body)["ok"]
    store = C.read_store(C.store_path(out, "001-son-la"))
    assert store.items[item].fields["lead_units"].value[0]["name"] == "Sở Nội vụ"


def test_a_write_from_another_site_name_is_refused(served):
    out, port, site = served
    item = path_to_document(out / "001-son-la.json").tasks[1].id
    status, _, _ = _request(port, "POST", f"/api/001-son-la/{item}/accept", f"csrf={site.token}",
                            {"Host": "evil.example:80", "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 421
    assert not C.store_path(out, "001-son-la").exists()


@pytest.mark.parametrize("path", [
    "/doc/..%2F..%2Fetc%2Fpasswd", "/doc/%2E%2E", "/crop/..%2Fsecret/task-0.png", "/doc/secret",
    "/doc/secret.txt", "/static/..%2Fcli.py", "/static/review_item.html", "/doc/001-son-la%00",
])
def test_paths_outside_the_records_are_refused(served, path):
    out, port, site = served
    status, _, body = _request(port, "GET", path)
    assert status in (403, 404)
    assert b"not a record" not in body and b"import" not in body


def test_a_crop_is_the_page_region_of_the_item(served):
    out, port, site = served
    doc = path_to_document(out / "001-son-la.json")
    status, headers, body = _request(port, "GET", f"/crop/001-son-la/{doc.tasks[2].id}.png")
    assert status == 200 and headers["Content-Type"] == "image/png"
    import io

    import numpy as np
    from PIL import Image

    img = Image.open(io.BytesIO(body))
    assert img.width > 500 and img.height > 50
    px = np.asarray(img.convert("RGB")).astype(int)
    # the box is drawn in red on the page
    assert ((px[..., 0] > 200) & (px[..., 1] < 60) & (px[..., 2] < 60)).any()


def test_the_form_fallback_without_javascript_redirects_back(served):
    out, port, site = served
    item = path_to_document(out / "001-son-la.json").tasks[3].id
    status, headers, _ = _request(port, "POST", f"/api/001-son-la/{item}/accept", f"csrf={site.token}",
                                  {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and headers["Location"] == f"/doc/001-son-la#{item}"
    assert C.read_store(C.store_path(out, "001-son-la")).items[item].accepted.by == "lan"


def test_review_command_refuses_a_missing_folder(tmp_path):
    res = runner.invoke(app, ["review", str(tmp_path / "none")])
    assert res.exit_code == 2


def test_the_report_escapes_plan_text(ingested, tmp_path):
    html = tmp_path / "report.html"
    res = runner.invoke(app, ["report", str(ingested), "--out", str(html), "--as-of", "2030-01-01"])
    assert res.exit_code == 0, res.output
    text = html.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the task is listed: overdue by 2030
    assert "<script" not in text  # the report runs no script at all


def test_report_rejects_a_bad_date(ingested, tmp_path):
    res = runner.invoke(app, ["report", str(ingested), "--out", str(tmp_path / "r.html"), "--as-of", "15/10/2025"])
    assert res.exit_code == 2


def test_a_record_made_before_items_had_ids_can_be_reviewed(served):
    out, port, site = served
    rec = path_to_document(out / "001-son-la.json")
    ids = [t.id for t in rec.tasks]
    for t in rec.tasks + rec.targets:
        t.id = None
    rec.doc_id = None
    (out / "001-son-la.json").write_text(rec.model_dump_json(), encoding="utf-8")
    status, _, body = _request(port, "GET", "/doc/001-son-la")
    assert status == 200 and f'id="{ids[2]}"'.encode() in body
    status, _, _ = _request(port, "POST", f"/api/001-son-la/{ids[2]}/accept", f"csrf={site.token}",
                            {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303
    again = path_to_document(out / "001-son-la.json")
    assert [t.id for t in again.tasks] == ids and again.tasks[2].review.accepted


def test_the_review_command_serves_the_folder_on_loopback(ingested):
    import re
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "kehoach", "review", str(ingested), "--port", "0",
                             "--reviewer", "lan"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, line
        status, _, body = _request(int(m.group(1)), "GET", "/")
        assert status == 200 and "001-son-la" in body.decode("utf-8") and "lan" in body.decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _post_document(port, token, fields: dict):
    return _request(port, "POST", "/api/001-son-la/document", urlencode(fields),
                    {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token,
                     "Accept": "application/json"})


def test_the_documents_metadata_is_corrected_in_its_form(served):
    out, port, site = served
    before = path_to_document(out / "001-son-la.json")
    status, _, body = _request(port, "GET", "/doc/001-son-la")
    html = body.decode("utf-8")
    assert 'id="document-form"' in html and 'value="169/KH-UBND"' in html
    status, _, body = _post_document(port, site.token, {
        "number": "170/KH-UBND", "issued_date": "30/9/2025", "signer": "Nguyễn Văn An",
        "issuer": before.metadata.issuer or "", "title": HOSTILE})
    assert status == 200 and json.loads(body)["ok"], body
    doc = path_to_document(out / "001-son-la.json")
    assert (doc.metadata.number, doc.metadata.issued_date, doc.metadata.signer.name, doc.metadata.title) == (
        "170/KH-UBND", "2025-09-30", "Nguyễn Văn An", HOSTILE)
    assert doc.metadata.issuer == before.metadata.issuer and sorted(doc.review.corrected) == [
        "issued_date", "number", "signer", "title"]
    store = C.read_store(C.store_path(out, "001-son-la"))
    assert store.document["number"].replaced == "169/KH-UBND" and store.document["number"].by == "lan"
    html = _request(port, "GET", "/doc/001-son-la")[2].decode("utf-8")
    assert 'value="30/09/2025"' in html and "đã sửa" in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html   # the title escaped
    # the number typed back as extraction read it: that correction is taken back
    status, _, _ = _post_document(port, site.token, {"number": "169/KH-UBND"})
    assert status == 200
    assert sorted(C.read_store(C.store_path(out, "001-son-la")).document) == [
        "issued_date", "signer", "title"]


def test_a_metadata_value_the_record_cannot_hold_is_refused(served):
    out, port, site = served
    status, _, body = _post_document(port, site.token, {"issued_date": "31/2/2025"})
    assert status == 400 and "Ngày ban hành" in json.loads(body)["error"]
    status, _, _ = _request(port, "POST", "/api/001-son-la/document", urlencode({"number": "1/KH"}),
                            {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    assert not C.store_path(out, "001-son-la").exists()
