"""``kehoach review OUT_DIR``: officials check records against the page and correct them.

A local web application (the standard library's threading HTTP server; pages rendered on
the server with Jinja2, a little JavaScript for the keyboard and for writes without a page
reload). Every write goes to the record's corrections store (pipeline.corrections)
atomically, and the record is written again with the store applied, so ``load``, exports and
reports see the corrections at once; every later run applies the store again.

Routes (record names are those of the folder's records, nothing else is served):

    GET  /                          the records: status, items, reviewed, with warnings
    GET  /doc/NAME                  one record: each item's fields beside its page crop
    GET  /crop/NAME/ITEM.png        the page region the item was read from, its box drawn
    POST /api/NAME/ITEM/accept      the item is right          (CSRF token required)
    POST /api/NAME/ITEM/correct     fields changed in the form
    POST /api/NAME/ITEM/delete      not an item;  .../restore: undo that
    POST /api/NAME/add              an item extraction missed (after=ITEM)
    POST /api/NAME/accept-all       accept every item not yet reviewed; the record is reviewed
    POST /api/NAME/document         the document's metadata changed in its form (number ...)

Safety: bound to 127.0.0.1 unless told otherwise; every text escaped (Jinja2 autoescape) and
a Content-Security-Policy that runs only the application's own script file; a write needs
the server's CSRF token (header X-CSRF-Token or form field csrf) and a Host header naming
this server; names and ids are looked up, never joined into paths.
"""
from __future__ import annotations

import hmac
import io
import json
import logging
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qs, quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..pipeline import corrections as C
from ..pipeline.record_files import path_to_document, paths_to_record_paths
from ..pipeline.records import write_json_atomic
from ..schema import Document
from ..schema.models import Item
from . import review_forms as F

log = logging.getLogger("kehoach")
TEMPLATES = Path(__file__).with_name("templates")
STATIC = {"review.js": "text/javascript; charset=utf-8", "review.css": "text/css; charset=utf-8"}
MAX_BODY = 1 << 20
CROP_CACHE = 2048  # crops kept in memory (~30-80 kB each)
_ITEM_ID = re.compile(r"^(task|target)-[0-9a-z-]{1,40}$")
STATUS_VI = {"not-reviewed": "Chưa rà soát", "in-review": "Đang rà soát", "reviewed": "Đã rà soát"}
FIELD_VI = {"ordinal": "STT", "text": "Nội dung", "deadline": "Thời hạn", "lead_units": "Đơn vị chủ trì",
            "cooperating_units": "Đơn vị phối hợp", "values": "Giá trị chỉ tiêu", "notes": "Ghi chú",
            "section": "Nhóm / mục", "appendix": "Phụ lục"}
KIND_VI = {"task": "Nhiệm vụ", "target": "Chỉ tiêu"}
DOCUMENT_FIELD_VI = {"doc_type": "Loại văn bản", "number": "Số, ký hiệu", "issuer": "Cơ quan ban hành",
                     "place": "Địa danh", "issued_date": "Ngày ban hành", "title": "Trích yếu",
                     "signer": "Người ký"}
DEADLINE_VI = {"date": "ngày", "month": "tháng", "quarter": "quý", "year": "năm", "multiple": "nhiều mốc",
               "recurring": "định kỳ", "conditional": "có điều kiện", "none": "không rõ thời điểm"}


class ReviewError(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html"], default_for_string=True))
    env.globals.update(STATUS_VI=STATUS_VI, FIELD_VI=FIELD_VI, KIND_VI=KIND_VI, DEADLINE_VI=DEADLINE_VI,
                       field_text=F.field_to_text, quote=lambda s: quote(s, safe=""),
                       DOCUMENT_FIELD_VI=DOCUMENT_FIELD_VI, document_text=F.document_field_to_text)
    return env


def source_file(doc: Document, records_dir: Path, input_dirs: tuple[Path, ...] = ()) -> Optional[Path]:
    """The input a record was read from, if it is still there: its path as recorded (a
    relative one from the current folder, the records folder's parent, or an input folder),
    else a file of its name in an input folder."""
    p = Path(doc.source.path)
    bases = [Path.cwd(), records_dir.parent, records_dir, *input_dirs]
    cands = [p] if p.is_absolute() else [b / p for b in bases]
    cands += [d / p.name for d in input_dirs]
    for cand in cands:
        if cand.is_file():
            return cand
    return None


def with_ids(doc: Document) -> Document:
    """A record made before items had ids gets them (the same ones extraction gives now),
    so it can be reviewed; they are written with the record at the first correction."""
    from ..extract.item_ids import assign_item_ids, document_id_of

    if any(it.id is None and not (it.review and it.review.added) for it in doc.tasks + doc.targets):
        assign_item_ids(doc)
    doc.doc_id = doc.doc_id or document_id_of(doc)
    return doc


@dataclass
class ItemRef:
    kind: str
    item: Item


def items_of(doc: Document) -> list[ItemRef]:
    return [ItemRef("target", t) for t in doc.targets] + [ItemRef("task", t) for t in doc.tasks]


def item_status(item: Item) -> str:
    r = item.review
    if r is None:
        return "pending"
    if r.added:
        return "added"
    return "corrected" if r.corrected else "accepted" if r.accepted else "pending"


class ReviewSite:
    """What the pages show and what the writes do, for one folder of records."""

    def __init__(self, records_dir: Path, reviewer: str, token: Optional[str] = None,
                 input_dirs: tuple[Path, ...] = ()):
        self.dir = Path(records_dir).resolve()
        self.input_dirs = tuple(Path(d).resolve() for d in input_dirs)
        self.reviewer = reviewer
        self.token = token or secrets.token_urlsafe(24)
        self.env = _env()
        self.lock = threading.Lock()
        self.crops: OrderedDict[tuple, bytes] = OrderedDict()
        self.crop_lock = threading.Lock()
        self.parsed: OrderedDict[Path, tuple[tuple, Document]] = OrderedDict()
        self.warming: Optional[threading.Thread] = None
        from ..extract.rules import load_rules

        self.rules = load_rules()  # the extract rules a reviewer's text is read with, once

    # -- records

    def source(self, doc: Document) -> Optional[Path]:
        return source_file(doc, self.dir, self.input_dirs)

    def names(self) -> dict[str, Path]:
        """Record names of the folder -> their files (error records and other files left out)."""
        found = paths_to_record_paths([self.dir])
        return {p.name.removesuffix(".json"): p for p in found.documents
                if p.parent.resolve() == self.dir}

    def record_path(self, name: str) -> Path:
        path = self.names().get(name)
        if path is None:
            raise ReviewError(HTTPStatus.NOT_FOUND, f"không có hồ sơ {name!r} trong thư mục này")
        return path

    def document(self, name: str) -> Document:
        return with_ids(path_to_document(self.record_path(name)))

    def find(self, doc: Document, item_id: str) -> ItemRef:
        if not _ITEM_ID.match(item_id):
            raise ReviewError(HTTPStatus.NOT_FOUND, "mã mục không hợp lệ")
        for ref in items_of(doc):
            if ref.item.id == item_id:
                return ref
        for d in (doc.review.deleted if doc.review else []):
            if d.item.get("id") == item_id:
                return ItemRef(d.kind, C._item_class(d.kind).model_validate(d.item))
        raise ReviewError(HTTPStatus.NOT_FOUND, f"không có mục {item_id} trong hồ sơ này")

    # -- pages

    def index_page(self) -> str:
        rows = []
        for name, path in sorted(self.names().items()):
            try:
                doc = path_to_document(path)
            except Exception as exc:  # noqa: BLE001 - listed as unreadable
                rows.append({"name": name, "error": str(exc).splitlines()[0][:200]})
                continue
            items = items_of(doc)
            status = doc.review.status if doc.review else "not-reviewed"
            rows.append({"name": name, "doc": doc, "status": status, "n_items": len(items),
                         "reviewed": sum(r.item.reviewed for r in items),
                         "warned": sum(bool(r.item.warnings) for r in items),
                         "unmatched": len(doc.review.unmatched) if doc.review else 0})
        order = {"not-reviewed": 0, "in-review": 1, "reviewed": 2}
        rows.sort(key=lambda r: (order.get(r.get("status"), -1), -r.get("warned", 0), r["name"]))
        return self.env.get_template("review_index.html").render(rows=rows, dir=str(self.dir),
                                                                 reviewer=self.reviewer)

    def document_page(self, name: str, order: str = "warnings") -> str:
        doc = self.document(name)
        refs = items_of(doc)
        if order == "warnings":  # items with warnings first, then in the plan's order
            refs = sorted(refs, key=lambda r: not r.item.warnings)
        units = sorted({u.name for u in self.rules.units.data.units}
                       | {u.name for u in doc.units})
        if self.source(doc) is not None and doc.source.kind != "text":
            self.warm_crops(name, doc)
        return self.env.get_template("review_document.html").render(
            name=name, doc=doc, refs=refs, token=self.token, reviewer=self.reviewer, order=order,
            units=units, has_image=self.source(doc) is not None and doc.source.kind in ("pdf", "image"),
            item_status=item_status, status=doc.review.status if doc.review else "not-reviewed")

    def item_fragment(self, name: str, doc: Document, ref: ItemRef, deleted: bool = False) -> str:
        macros = self.env.get_template("review_item.html")
        return str(macros.module.item(name, ref, doc, self.token,
                                      self.source(doc) is not None and doc.source.kind in ("pdf", "image"),
                                      item_status, deleted))

    def crop_png(self, name: str, item_id: str) -> bytes:
        """The item's page crop as PNG, cached by record file state (a re-run or a
        correction that moves the item makes it again)."""
        path = self.record_path(name)
        st = path.stat()
        key = (name, item_id, st.st_mtime_ns, st.st_size)
        with self.crop_lock:
            png = self.crops.get(key)
            if png is not None:
                self.crops.move_to_end(key)
                return png
        png = self._render_crop(self._parsed(path, key[2:]), item_id)
        with self.crop_lock:
            self.crops[key] = png
            while len(self.crops) > CROP_CACHE:
                self.crops.popitem(last=False)
        return png

    def _parsed(self, path: Path, state: tuple) -> Document:
        """The record read once per file state (crops of one record read it again and again)."""
        with self.crop_lock:
            hit = self.parsed.get(path)
            if hit is not None and hit[0] == state:
                return hit[1]
        doc = with_ids(path_to_document(path))
        with self.crop_lock:
            self.parsed[path] = (state, doc)
            while len(self.parsed) > 4:
                self.parsed.popitem(last=False)
        return doc

    def warm_crops(self, name: str, doc: Document) -> None:
        """Cut the record's crops in page order in a background thread (one record at a
        time), so a reviewer moving down the items finds them ready."""
        with self.crop_lock:
            if self.warming is not None and self.warming.is_alive():
                return
            refs = sorted((r for r in items_of(doc) if r.item.provenance.page and r.item.provenance.bbox),
                          key=lambda r: r.item.provenance.page)

            def run():
                for r in refs:
                    try:
                        self.crop_png(name, r.item.id)
                    except Exception:  # noqa: BLE001 - the request for it will say why
                        return
            self.warming = threading.Thread(target=run, daemon=True, name="kehoach-crops")
            self.warming.start()

    def _render_crop(self, doc: Document, item_id: str) -> bytes:
        from .page_crops import page_box_to_crop, source_page_to_image

        ref = self.find(doc, item_id)
        prov = ref.item.provenance
        src = self.source(doc)
        if src is None or doc.source.kind not in ("pdf", "image") or not prov.page or not prov.bbox:
            raise ReviewError(HTTPStatus.NOT_FOUND, "không có ảnh trang cho mục này")
        widths = {p.number: p.width for p in doc.pages if p.width}
        img, px_per_pt = source_page_to_image(src, prov.page, widths.get(prov.page))
        crop = page_box_to_crop(img, px_per_pt, tuple(prov.bbox))
        if crop.width > 1400:
            crop = crop.resize((1400, max(1, round(crop.height * 1400 / crop.width))))
        buf = io.BytesIO()
        crop.save(buf, "PNG", compress_level=3)
        return buf.getvalue()

    # -- writes

    def write(self, name: str, action: str, item_id: Optional[str], form: dict[str, str]) -> dict:
        """Apply one reviewer action to the store, write it and the record; return what the
        page needs: the item's new HTML (or none), the record's status and progress."""
        with self.lock, C.store_lock(self.dir, create=True):
            path = self.record_path(name)
            record = with_ids(path_to_document(path))
            base = C.strip_corrections(record)
            spath = C.store_path(self.dir, name)
            try:
                store = C.read_store(spath) or C.new_store(record, name)
            except C.StoreError as exc:
                raise ReviewError(HTTPStatus.CONFLICT, f"{exc} ({exc.hint})") from exc
            by = self.reviewer
            target_id = item_id
            if action == "accept-all":
                C.accept_all(store, record, by)
            elif action == "document":
                self._correct_document(store, record, base, form)
            elif action == "add":
                kind = form.get("kind", "task")
                item = self._form_item(kind, form, record)
                if not item.get("text"):
                    raise ReviewError(HTTPStatus.BAD_REQUEST, "mục mới cần có nội dung")
                after = form.get("after") or None
                target_id = C.add_item(store, kind, item, after, by)
            else:
                ref = self._ref(record, base, store, item_id)
                if action == "accept":
                    C.accept_item(store, ref.kind, ref.item, by)
                elif action == "delete":
                    C.delete_item(store, ref.kind, ref.item, by)
                elif action == "restore":
                    C.restore_item(store, item_id)
                elif action == "correct":
                    self._correct(store, record, ref, form)
                else:
                    raise ReviewError(HTTPStatus.NOT_FOUND, f"không có thao tác {action!r}")
            C.write_store(spath, store)
            new = C.apply_corrections(base, store, f"{C.STORE_DIR}/{spath.name}")
            write_json_atomic(path, new.model_dump_json(indent=1))
        html = ""
        if target_id and action != "accept-all":
            ref = next((r for r in items_of(new) if r.item.id == target_id), None)
            if ref is not None:
                html = self.item_fragment(name, new, ref)
            elif action == "delete":
                try:
                    html = self.item_fragment(name, new, self.find(new, target_id), deleted=True)
                except ReviewError:  # an added item taken out: nothing left to show
                    html = ""
        r = new.review
        return {"ok": True, "id": target_id, "html": html, "status": r.status,
                "status_vi": STATUS_VI[r.status], "items": r.items, "reviewed": r.items_reviewed}

    def _ref(self, record: Document, base: Document, store: C.CorrectionStore, item_id: Optional[str]) -> ItemRef:
        """The item as extraction gave it (what a correction replaces); an added item as added."""
        if not item_id:
            raise ReviewError(HTTPStatus.NOT_FOUND, "thiếu mã mục")
        current = self.find(record, item_id)
        if current.item.review and current.item.review.added:
            return current
        try:
            return self.find(base, item_id)
        except ReviewError:
            return current

    def _correct(self, store: C.CorrectionStore, record: Document, ref: ItemRef, form: dict[str, str]) -> None:
        shown = self.find(record, ref.item.id).item  # what the form showed
        year = F.plan_year_of(record.metadata.issued_date)
        level = self._level(record)
        for name in F.FORM_FIELDS:
            if name not in form or (name == "values" and ref.kind != "target"):
                continue
            text = form[name]
            if _same_text(text, F.field_to_text(shown, name)):
                continue  # left as shown
            if _same_text(text, F.field_to_text(ref.item, name)):
                value = C.dump_field(ref.item, name)  # back to what extraction read
            else:
                value = F.text_to_field(name, text, year, self.rules, level)
            try:
                C.correct_field(store, ref.kind, ref.item, name, value, self.reviewer)
            except (ValueError, C.StoreError) as exc:  # a value the record cannot hold (a bug stays a 500)
                raise ReviewError(HTTPStatus.BAD_REQUEST, f"{FIELD_VI.get(name, name)}: {exc}") from exc
        C.accept_item(store, ref.kind, ref.item, self.reviewer)

    def _correct_document(self, store: C.CorrectionStore, record: Document, base: Document,
                          form: dict[str, str]) -> None:
        """The metadata fields the reviewer changed in the document's form (``base``: the
        record as extraction gave it, what a correction replaces)."""
        for name in F.DOCUMENT_FORM_FIELDS:
            if name not in form:
                continue
            text = form[name]
            if _same_text(text, F.document_field_to_text(record, name)):
                continue  # left as shown
            try:
                if _same_text(text, F.document_field_to_text(base, name)):
                    value = C.dump_document_field(base, name)  # back to what extraction read
                else:
                    value = F.text_to_document_field(name, text, C.dump_document_field(base, "signer"))
                C.correct_document_field(store, base, name, value, self.reviewer)
            except (ValueError, C.StoreError) as exc:  # a value the record cannot hold (a bug stays a 500)
                raise ReviewError(HTTPStatus.BAD_REQUEST, f"{DOCUMENT_FIELD_VI[name]}: {exc}") from exc

    def _form_item(self, kind: str, form: dict[str, str], record: Document) -> dict:
        if kind not in ("task", "target"):
            raise ReviewError(HTTPStatus.BAD_REQUEST, "loại mục phải là nhiệm vụ hoặc chỉ tiêu")
        year, level = F.plan_year_of(record.metadata.issued_date), self._level(record)
        item: dict[str, Any] = {}
        for name in F.FORM_FIELDS:
            if name == "values" and kind != "target":
                continue
            if form.get(name, "").strip():
                item[name] = F.text_to_field(name, form[name], year, self.rules, level)
        if form.get("page", "").strip().isdigit():
            item["provenance"] = {"page": int(form["page"]), "source": "thêm khi rà soát"}
        return item

    def _level(self, record: Document) -> Optional[str]:
        from ..extract.units import level_of_issuer

        return level_of_issuer(record.metadata.issuer, self.rules.units)

    def check_token(self, given: Optional[str]) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())


def _same_text(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "\n".join(" ".join(line.split()) for line in F.nfc(s).strip().splitlines() if line.strip())
    return norm(a) == norm(b)


# --- HTTP ----------------------------------------------------------------------------------

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def make_handler(site: ReviewSite):
    class Handler(BaseHTTPRequestHandler):
        server_version = "kehoach-review"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # noqa: N802 - the server's own name
            log.debug("review: " + fmt, *args)

        def _send(self, status: int, body: bytes, ctype: str, extra: Optional[dict] = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in {**SECURITY_HEADERS, **(extra or {})}.items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _html(self, text: str, status: int = 200) -> None:
            self._send(status, text.encode("utf-8"), "text/html; charset=utf-8",
                       {"Cache-Control": "no-store"})

        def _error(self, exc: ReviewError) -> None:
            if "application/json" in (self.headers.get("Accept") or ""):
                body = json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False).encode()
                self._send(exc.status, body, "application/json; charset=utf-8")
            else:
                page = site.env.get_template("review_error.html").render(message=str(exc),
                                                                         status=int(exc.status))
                self._html(page, exc.status)

        def _host_ok(self) -> bool:
            """On a loopback address the Host must name it (a web page elsewhere cannot
            reach the server through a name of its own: DNS rebinding); on another address
            (--host, for a local network) any name, the CSRF token still guards writes."""
            import ipaddress

            bound = self.server.server_address[0]
            try:
                if not ipaddress.ip_address(bound).is_loopback:
                    return True
            except ValueError:
                pass
            host = (self.headers.get("Host") or "").lower()
            port = self.server.server_address[1]
            allowed = {f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]",
                                               str(self.server.server_address[0]))}
            return host in allowed

        def do_GET(self):  # noqa: N802
            try:
                if not self._host_ok():
                    raise ReviewError(HTTPStatus.MISDIRECTED_REQUEST, "tên máy chủ không đúng")
                self._get()
            except ReviewError as exc:
                self._error(exc)
            except Exception as exc:  # noqa: BLE001 - one bad request must not stop the server
                log.exception("review: %s", exc)
                self._error(ReviewError(HTTPStatus.INTERNAL_SERVER_ERROR, f"lỗi: {type(exc).__name__}"))

        do_HEAD = do_GET

        def _get(self):
            parts = _parts(self.path)
            query = parse_qs(urlsplit(self.path).query)
            if parts == []:
                return self._html(site.index_page())
            if len(parts) == 2 and parts[0] == "static" and parts[1] in STATIC:
                body = (TEMPLATES / parts[1]).read_bytes()
                return self._send(200, body, STATIC[parts[1]], {"Cache-Control": "no-cache"})
            if len(parts) == 2 and parts[0] == "doc":
                order = (query.get("order") or ["warnings"])[0]
                return self._html(site.document_page(parts[1], "plan" if order == "plan" else "warnings"))
            if len(parts) == 3 and parts[0] == "crop" and parts[2].endswith(".png"):
                png = site.crop_png(parts[1], parts[2].removesuffix(".png"))
                return self._send(200, png, "image/png", {"Cache-Control": "private, max-age=600"})
            raise ReviewError(HTTPStatus.NOT_FOUND, "không có trang này")

        def do_POST(self):  # noqa: N802
            try:
                if not self._host_ok():
                    raise ReviewError(HTTPStatus.MISDIRECTED_REQUEST, "tên máy chủ không đúng")
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    raise ReviewError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "yêu cầu quá lớn")
                raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                if not site.check_token(self.headers.get("X-CSRF-Token") or form.get("csrf")):
                    raise ReviewError(HTTPStatus.FORBIDDEN, "thiếu mã bảo vệ (CSRF) hoặc mã không đúng: "
                                      "tải lại trang rồi thử lại")
                parts = _parts(self.path)
                if len(parts) == 3 and parts[0] == "api" and parts[2] in ("add", "accept-all", "document"):
                    result = site.write(parts[1], parts[2], None, form)
                elif len(parts) == 4 and parts[0] == "api":
                    result = site.write(parts[1], parts[3], parts[2], form)
                else:
                    raise ReviewError(HTTPStatus.NOT_FOUND, "không có thao tác này")
            except ReviewError as exc:
                return self._error(exc)
            except Exception as exc:  # noqa: BLE001
                log.exception("review: %s", exc)
                return self._error(ReviewError(HTTPStatus.INTERNAL_SERVER_ERROR, f"lỗi: {type(exc).__name__}: {exc}"))
            if "application/json" in (self.headers.get("Accept") or ""):
                body = json.dumps(result, ensure_ascii=False).encode("utf-8")
                return self._send(200, body, "application/json; charset=utf-8", {"Cache-Control": "no-store"})
            anchor = f"#{result['id']}" if result.get("id") else ""
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Location", f"/doc/{quote(parts[1], safe='')}{anchor}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def _parts(path: str) -> list[str]:
    """The URL path's segments, decoded; a segment that could step out ('..', '.', a slash
    or a NUL inside) is refused."""
    from urllib.parse import unquote

    segs = [unquote(s) for s in urlsplit(path).path.split("/") if s]
    for s in segs:
        if s in (".", "..") or "/" in s or "\\" in s or "\x00" in s:
            raise ReviewError(HTTPStatus.FORBIDDEN, "đường dẫn nằm ngoài thư mục hồ sơ")
    return segs


def make_server(records_dir: Path, host: str = "127.0.0.1", port: int = 8765,
                reviewer: str = "", token: Optional[str] = None,
                input_dirs: tuple[Path, ...] = ()) -> tuple[ThreadingHTTPServer, ReviewSite]:
    """The review server of a folder of records, bound but not yet serving (port 0: any)."""
    site = ReviewSite(records_dir, reviewer or default_reviewer(), token, input_dirs)
    server = ThreadingHTTPServer((host, port), make_handler(site))
    server.daemon_threads = True
    return server, site


def default_reviewer() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "reviewer"
