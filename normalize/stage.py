"""The normalize stage: clean every text the records use and restore Vietnamese where needed.

Restoration runs on OCR'd pages, plain-text inputs, and text-layer pages whose text has
lost its diacritics (PDFs made searchable by an old OCR run); born-digital text is only
cleaned. On such a page it runs on everything extraction reads: the page text, the words
(their boxes are the items' provenance) and the cells of its tables, each restored token
for token, so a box still points at the word it came from. ``raw_text`` is never
modified; ``edits`` maps changed tokens of the text back to it, and a word or cell that
changed keeps what was read in ``raw``.

Legacy encodings are settled in ingest, once: a PDF text layer in TCVN3/VNI is OCR'd
(ingest.text_layer) and text files are converted when read (ingest.text_file), so no page
reaches this stage in a legacy encoding.
"""
from __future__ import annotations

from .text_steps import accent_ratio, clean_text

DEACCENTED_RATIO = 0.3  # real Vietnamese has ~0.6 of its syllables marked


def needs_restoration(page, source_kind: str) -> bool:
    if page.method == "ocr" or source_kind == "text":
        return True
    return len(page.raw_text.split()) >= 20 and accent_ratio(page.raw_text) < DEACCENTED_RATIO


def texts_to_restored(restorer, texts: list[str]) -> list[str]:
    """Given short texts that belong together (a table's cells, a page's word lines),
    return each restored, one output token per input token. They are restored as one text,
    each its own paragraph (no LM context runs from one into the next), so the regime
    (old OCR or clean text) is decided on all of them."""
    pieces = [" ".join(t.split("\n")) if t.strip() else "" for t in texts]
    if not any(pieces):
        return list(texts)
    out = restorer.restore_text("\n\n".join(pieces)).text.split("\n")
    restored = out[0::2]
    return [r if p else t for t, p, r in zip(texts, pieces, restored)]


def _restore_words(restorer, words) -> None:
    """Restore a page's words in place, line by line in reading order (x within a line)."""
    lines: dict[int, list] = {}
    for w in words:
        if w.text.strip() and len(w.text.split()) == 1:
            lines.setdefault(w.line, []).append(w)
    ordered = [sorted(ws, key=lambda w: w.bbox[0]) for _, ws in sorted(lines.items())]
    restored = texts_to_restored(restorer, [" ".join(w.text for w in ws) for ws in ordered])
    for ws, line in zip(ordered, restored):
        new = line.split()
        if len(new) != len(ws):  # never happens: restoration keeps tokens; keep what was read
            continue
        for w, t in zip(ws, new):
            if t != w.text:
                w.raw, w.text = w.text, t


def _restore_cells(restorer, table) -> None:
    """Restore a table's cell texts in place (line breaks inside a cell kept)."""
    cells = [c for c in table.cells if c.text.strip()]
    flat = [" ".join(c.text.split()) for c in cells]
    restored = texts_to_restored(restorer, flat)
    for c, before, after in zip(cells, flat, restored):
        if after != before:
            words = iter(after.split())
            # put the restored tokens back into the cell's own lines and spaces
            lines = [" ".join(next(words) for _ in ln.split()) for ln in c.text.split("\n")]
            c.raw, c.text = c.text, "\n".join(lines)


def run(doc, settings):
    """Given a Document after ingest, return it with every page's ``text`` normalized, and
    the words and table cells of pages that need restoration restored."""
    restorer = None
    for page in doc.pages:
        cleaned = clean_text(page.raw_text)
        page.text = cleaned
        if not settings.restore or not cleaned.strip() or not needs_restoration(page, doc.source.kind):
            continue
        if restorer is None:
            from .restore import Restorer

            restorer = Restorer.load(settings.model)
        result = restorer.restore_text(cleaned)
        page.text = result.text
        page.edits = list(result.edits)
        page.tokens_changed = len(page.edits)
        if page.words:
            _restore_words(restorer, page.words)
        for table in page.tables:
            _restore_cells(restorer, table)
    doc.stages.append("normalize")
    return doc
