"""Regions of a plan's text built from test snippets as ``extract.sections.document_to_lines``
builds them: each line classified by the layout rules, a blank line a gap before the next."""
from __future__ import annotations

from kehoach.extract.rules import Rules
from kehoach.extract.sections import Line, Region, classify_line


def text_to_region(text: str, rules: Rules, name: str = "body", page: int = 1) -> Region:
    """Given snippet lines (spaces squashed, a blank line a gap), return them as one region."""
    lines, gap = [], True
    for i, raw in enumerate(text.split("\n")):
        t = " ".join(raw.split())
        if not t:
            gap = True
            continue
        kind, ordinal, body = classify_line(t, rules.layout)
        lines.append(Line(page=page, line=i, text=t, kind=kind, ord=ordinal, body=body, gap=gap))
        gap = False
    return Region(name, lines)
