"""`kehoach review` driven by a real browser (Debian's chromium, headless, through its own
chromedriver and Selenium): a reviewer corrects a lead unit and a deadline, deletes an extra
item, adds a missed one and accepts the rest; the corrections store holds all four, and
`kehoach extract` and `kehoach ingest --force` keep them. Hostile item text stays inert.

Screenshots: set KEHOACH_SCREENSHOTS=DIR to keep them (docs/review-*.png are made so)."""
from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kehoach.cli import app
from kehoach.outputs import db
from test_db import postgres_url  # noqa: F401 - the session's PostgreSQL server fixture
from kehoach.outputs.review import make_server
from kehoach.pipeline import corrections as C
from kehoach.pipeline.record_files import path_to_document

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PDF = SAMPLES / "001-son-la.pdf"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOSTILE = 'Nhiệm vụ <script>window.pwned=1</script> "><img src=x onerror="window.pwned=2">'
runner = CliRunner()

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()) and not os.environ.get("CI"),
    reason="chromium and chromium-driver are not installed (scripts/install-system-deps.sh --test)")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review")
    res = runner.invoke(app, ["ingest", str(PDF), "--out", str(out), "--jobs", "1", "-q"])
    assert res.exit_code == 0, res.output
    # a plan (or a reviewer) can write anything: one task's notes carry markup, kept as a
    # correction so every re-run keeps it
    rec = path_to_document(out / "001-son-la.json")
    store = C.new_store(rec, "001-son-la")
    C.correct_field(store, "task", rec.tasks[5], "notes", HOSTILE, by="Nguyễn Thị Lan")
    C.write_store(C.store_path(out, "001-son-la"), store)
    rec = C.apply_store(rec, out, "001-son-la")
    (out / "001-son-la.json").write_text(rec.model_dump_json(), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def server(out):
    srv, site = make_server(out, "127.0.0.1", 0, reviewer="Nguyễn Thị Lan", input_dirs=(SAMPLES,))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", site
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--lang=vi"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def _shot(browser, name: str) -> None:
    keep = os.environ.get("KEHOACH_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(keep) / f"review-{name}.png"))


def _task(browser, i: int):
    return browser.find_elements(By.CSS_SELECTOR, 'article.item[data-kind="task"]')[i]


def _wait_badge(browser, item_id: str, text: str) -> None:
    WebDriverWait(browser, 20).until(EC.text_to_be_present_in_element(
        (By.CSS_SELECTOR, f'article[id="{item_id}"] .badge'), text))


def test_a_reviewer_session_in_a_real_browser(out, server, browser, postgres_url, tmp_path):
    url, site = server
    original = path_to_document(out / "001-son-la.json")
    t = original.tasks
    browser.get(f"{url}/")
    assert "Đang rà soát" in browser.find_element(By.CSS_SELECTOR, "table.docs").text
    browser.find_element(By.LINK_TEXT, "001-son-la").click()
    browser.get(f"{url}/doc/001-son-la?order=plan")
    # each item beside its page crop: the first task's crop is a real image
    img = _task(browser, 0).find_element(By.CSS_SELECTOR, "img.crop")
    browser.execute_script("arguments[0].scrollIntoView()", img)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 100", img))
    _shot(browser, "document")

    # 1. the lead unit of the first task
    lead = _task(browser, 0).find_element(By.NAME, "lead_units")
    lead.clear()
    lead.send_keys("Sở Nội vụ")
    lead.send_keys(Keys.CONTROL, Keys.ENTER)
    _wait_badge(browser, t[0].id, "Đã sửa")
    # 2. the deadline of the second task
    dl = _task(browser, 1).find_element(By.NAME, "deadline")
    dl.clear()
    dl.send_keys("30/9/2025")
    _task(browser, 1).find_element(By.CSS_SELECTOR, "button.save").click()
    _wait_badge(browser, t[1].id, "Đã sửa")
    assert "2025-09-30" in _task(browser, 1).find_element(By.CSS_SELECTOR, ".parsed").text
    _shot(browser, "corrected")
    # 3. the third task is no item: by the keyboard (focus it, X)
    browser.execute_script("arguments[0].focus()", _task(browser, 2))
    browser.switch_to.active_element.send_keys("x")
    _wait_badge(browser, t[2].id, "Không phải mục")
    # 4. a missed item after the fourth task
    _task(browser, 3).find_element(By.CSS_SELECTOR, "button.add-after").click()
    form = browser.find_element(By.ID, "add-form")
    form.find_element(By.NAME, "text").send_keys("Tổ chức hội nghị sơ kết việc cung cấp dịch vụ công trực tuyến")
    form.find_element(By.NAME, "deadline").send_keys("Quý IV/2025")
    form.find_element(By.NAME, "lead_units").send_keys("Văn phòng UBND tỉnh")
    form.find_element(By.CSS_SELECTOR, "button.save").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.st-added"))
    added = browser.find_element(By.CSS_SELECTOR, "article.st-added")
    assert browser.execute_script("return arguments[0].previousElementSibling.id", added) == t[3].id
    # hostile text renders as text, runs nothing
    hostile = browser.find_element(By.ID, t[5].id)
    assert "<script>" in hostile.find_element(By.NAME, "notes").get_attribute("value")
    assert browser.execute_script("return window.pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "#items img[src='x']")
    # 5. accept the rest
    browser.find_element(By.ID, "accept-all").click()
    WebDriverWait(browser, 10).until(EC.alert_is_present())
    browser.switch_to.alert.accept()
    WebDriverWait(browser, 20).until(EC.text_to_be_present_in_element((By.ID, "status"), "Đã rà soát"))
    _shot(browser, "reviewed")

    store = C.read_store(C.store_path(out, "001-son-la"))
    assert store.status == "reviewed" and store.reviewed.by == "Nguyễn Thị Lan"
    assert store.items[t[0].id].fields["lead_units"].value[0]["name"] == "Sở Nội vụ"
    assert store.items[t[0].id].fields["lead_units"].replaced[0]["name"] == t[0].lead_units[0].name
    assert store.items[t[1].id].fields["deadline"].value["end"] == "2025-09-30"
    assert store.items[t[2].id].deleted.by == "Nguyễn Thị Lan"
    assert [a.item["text"] for a in store.added] == ["Tổ chức hội nghị sơ kết việc cung cấp dịch vụ công trực tuyến"]
    assert store.added[0].item["deadline"]["kind"] == "quarter" and store.added[0].after == t[3].id
    assert all(store.items[it.id].accepted for it in t if it.id != t[2].id)

    def check(doc):
        by_id = {x.id: x for x in doc.tasks}
        assert [u.name for u in by_id[t[0].id].lead_units] == ["Sở Nội vụ"]
        assert by_id[t[1].id].deadline.end == "2025-09-30"
        assert t[2].id not in by_id
        assert [x.text for x in doc.tasks if x.review and x.review.added] == [store.added[0].item["text"]]
        assert doc.review.status == "reviewed"
        assert doc.review.items_reviewed == doc.review.items == len(doc.tasks) + len(doc.targets)

    check(path_to_document(out / "001-son-la.json"))  # the record is written at once
    assert runner.invoke(app, ["extract", str(out)]).exit_code == 0
    check(path_to_document(out / "001-son-la.json"))
    res = runner.invoke(app, ["ingest", str(PDF), "--out", str(out), "--jobs", "1", "-q", "--force"])
    assert res.exit_code == 0, res.output
    check(path_to_document(out / "001-son-la.json"))
    # the page shows the re-run record as reviewed
    browser.get(f"{url}/")
    assert "Đã rà soát" in browser.find_element(By.CSS_SELECTOR, "table.docs").text

    # load puts the corrected values and the reviewed flags into SQLite and PostgreSQL
    from sqlalchemy import text

    for url_db in (f"sqlite:///{tmp_path / 'k.db'}", postgres_url):
        engine = db.url_to_engine(url_db)
        if url_db == postgres_url:
            db.drop_schema(engine)
        res = runner.invoke(app, ["load", str(out), "--db", url_db])
        assert res.exit_code == 0, res.output
        with engine.connect() as conn:
            rows = {r.item_key: r for r in conn.execute(text(
                "SELECT t.item_key, t.reviewed, t.corrected_fields, t.deadline_end, t.text, "
                "(SELECT string_agg(u.name, ';') FROM task_units tu JOIN units u ON u.id = tu.unit_id "
                " WHERE tu.item_id = t.id AND tu.role = 'lead') AS lead FROM tasks t"
                if engine.dialect.name == "postgresql" else
                "SELECT t.item_key, t.reviewed, t.corrected_fields, t.deadline_end, t.text, "
                "(SELECT group_concat(u.name, ';') FROM task_units tu JOIN units u ON u.id = tu.unit_id "
                " WHERE tu.item_id = t.id AND tu.role = 'lead') AS lead FROM tasks t"))}
            status = conn.execute(text("SELECT review_status FROM documents")).scalar_one()
        engine.dispose()
        assert status == "reviewed"
        assert rows[t[0].id].lead == "Sở Nội vụ" and rows[t[0].id].corrected_fields == "lead_units"
        assert str(rows[t[1].id].deadline_end) == "2025-09-30"
        assert t[2].id not in rows
        assert all(r.reviewed for r in rows.values()) and len(rows) == len(t)

    # the reviewed record is the office's own gold: the current extraction scored against it
    res = runner.invoke(app, ["audit", "--reviewed", str(out), "--out", str(tmp_path / "audit")])
    assert res.exit_code == 0, res.output
    scored = json.loads((tmp_path / "audit" / "audit.json").read_text(encoding="utf-8"))
    tasks = scored["overall"]["tasks"]
    assert (tasks["items"]["fp"], tasks["items"]["fn"]) == (1, 1)  # the deleted one, the added one
    lead, deadline = tasks["fields"]["lead_units"], tasks["fields"]["deadline"]
    assert lead["right"] == lead["extracted"] - 2  # the corrected lead and the deleted item
    assert deadline["right"] == deadline["extracted"] - 2


def test_the_report_opens_with_its_charts_and_counts_as_sql_does(tmp_path, browser):
    out = tmp_path / "out"
    inputs = [SAMPLES / n for n in ("001-son-la.pdf", "001-son-la.ocr.txt", "003-xa.pdf", "004-tan-ky.pdf")]
    res = runner.invoke(app, ["ingest", *map(str, inputs), "--out", str(out), "--jobs", "1", "-q"])
    assert res.exit_code == 0, res.output
    url_db = f"sqlite:///{tmp_path / 'k.db'}"
    assert runner.invoke(app, ["load", str(out), "--db", url_db]).exit_code == 0
    html = tmp_path / "report.html"
    res = runner.invoke(app, ["report", str(out), "--out", str(html), "--as-of", "2025-10-15",
                              "--xlsx", str(tmp_path / "report.xlsx")])
    assert res.exit_code == 0, res.output
    from_db = tmp_path / "report-db.html"
    res_db = runner.invoke(app, ["report", "--db", url_db, "--out", str(from_db), "--as-of", "2025-10-15"])
    assert res_db.exit_code == 0, res_db.output
    assert res_db.output.split("->")[0] == res.output.split("->")[0]  # the same figures from SQL
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert wb.sheetnames == ["Theo kế hoạch", "Theo đơn vị chủ trì", "Nhiệm vụ", "Chỉ tiêu theo năm"]
    assert wb["Nhiệm vụ"].max_row - 1 == int(res.output.split(" tasks")[0].split()[-1])
    browser.get(html.as_uri())
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-units rect")
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-timeline rect")
    _shot(browser, "report")
    shown = {k: int(browser.find_element(By.ID, f"total-{k}").text)
             for k in ("tasks", "overdue", "quarter", "month", "recurring")}
    from sqlalchemy import text

    engine = db.url_to_engine(url_db)
    base = ("SELECT count(*) FROM tasks t JOIN documents d ON d.id = t.document_id WHERE d.primary_copy ")
    dated = "AND coalesce(t.deadline_kind, '') <> 'recurring' "
    with engine.connect() as conn:
        q = lambda where: conn.execute(text(base + where)).scalar_one()  # noqa: E731
        sql = {"tasks": q(""),
               "overdue": q(dated + "AND t.deadline_end < '2025-10-15'"),
               "quarter": q(dated + "AND t.deadline_end BETWEEN '2025-10-15' AND '2025-12-31'"),
               "month": q(dated + "AND t.deadline_end BETWEEN '2025-10-15' AND '2025-10-31'"),
               "recurring": q("AND t.deadline_kind = 'recurring'")}
        plans = conn.execute(text("SELECT count(*) FROM documents WHERE primary_copy")).scalar_one()
    engine.dispose()
    assert shown == sql and sql["tasks"] > 50 and sql["overdue"] > 0
    assert plans == 3 == len(browser.find_elements(By.CSS_SELECTOR, "#plans tr")) - 1  # Sơn La once
