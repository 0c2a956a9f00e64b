"""The normalize stage: clean every page's text and restore Vietnamese where needed.

Restoration runs on OCR'd pages, plain-text inputs, and text-layer pages whose text has
lost its diacritics (PDFs made searchable by an old OCR run); born-digital text is only
cleaned. ``raw_text`` is never modified; ``edits`` maps changed tokens back to it.

Legacy encodings are settled in ingest, once: a PDF text layer in TCVN3/VNI is OCR'd
(ingest.text_layer) and text files are converted when read (ingest.text_file), so no page
reaches this stage in a legacy encoding.
"""
from __future__ import annotations

from normalize.text_steps import accent_ratio, clean_text

DEACCENTED_RATIO = 0.3  # real Vietnamese has ~0.6 of its syllables marked


def needs_restoration(page, source_kind: str) -> bool:
    if page.method == "ocr" or source_kind == "text":
        return True
    return len(page.raw_text.split()) >= 20 and accent_ratio(page.raw_text) < DEACCENTED_RATIO


def run(doc, settings):
    """Given a Document after ingest, return it with every page's ``text`` normalized."""
    restorer = None
    for page in doc.pages:
        cleaned = clean_text(page.raw_text)
        page.text = cleaned
        if not settings.restore or not cleaned.strip() or not needs_restoration(page, doc.source.kind):
            continue
        if restorer is None:
            from normalize.restore import Restorer

            restorer = Restorer.load(settings.model)
        result = restorer.restore_text(cleaned)
        page.text = result.text
        page.edits = list(result.edits)
        page.tokens_changed = len(page.edits)
    doc.stages.append("normalize")
    return doc
