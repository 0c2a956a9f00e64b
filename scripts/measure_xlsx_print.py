"""Measure how an xlsx export prints: LibreOffice headless turns each sheet into a PDF, and
pdfplumber reads the pages and the size of every printed character.

    .venv/bin/python scripts/measure_xlsx_print.py                 # the gold records (corpus/)
    .venv/bin/python scripts/measure_xlsx_print.py --records out   # records `kehoach ingest` wrote
    .venv/bin/python scripts/measure_xlsx_print.py --book plans.xlsx

Per sheet: pages, their size in points (A4 landscape is 842 x 595), and the printed
character size in points (min, 5th percentile, median): the font size after LibreOffice
scaled the sheet to fit the page width. 7 pt is about the smallest a printed table is read at.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pdfplumber


def sheet_to_pdf(book: Path, sheet: str, work: Path) -> Path:
    """Given a workbook, print its one sheet to a PDF with LibreOffice headless."""
    from kehoach.ingest.word import soffice_path

    wb = openpyxl.load_workbook(book)
    for ws in list(wb.worksheets):
        if ws.title != sheet:
            wb.remove(ws)
    single = work / "sheet.xlsx"
    wb.save(single)
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{work}/profile", "--headless",
                    "--convert-to", "pdf", single.name], cwd=work, capture_output=True,
                   timeout=600, check=True)
    return work / "sheet.pdf"


def pdf_to_figures(pdf_path: Path) -> dict:
    """Given a printed sheet, return its pages, page sizes and character sizes."""
    sizes, dims = [], set()
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            dims.add((round(page.width), round(page.height)))
            sizes += [c["size"] for c in page.chars if c["text"].strip()]
            page.close()
        n = len(pdf.pages)
    sizes.sort()
    return {"pages": n, "page_sizes": sorted(dims), "chars": len(sizes),
            "min_pt": round(sizes[0], 2) if sizes else None,
            "p5_pt": round(sizes[len(sizes) // 20], 2) if sizes else None,
            "median_pt": round(statistics.median(sizes), 2) if sizes else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=Path, help="a folder of records (default: the gold records)")
    parser.add_argument("--book", type=Path, help="an xlsx already written")
    parser.add_argument("--sheets", default="Nhiệm vụ,Chỉ tiêu,Văn bản")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = args.book
        if book is None:
            from kehoach.outputs.export import export_documents

            if args.records:
                from kehoach.pipeline.record_files import RecordStream

                docs = RecordStream([args.records], pages=False)
            else:
                from kehoach.core.corpus import GOLD
                from kehoach.outputs.gold import gold_dir_to_documents

                docs = list(gold_dir_to_documents(GOLD).values())
            book = work / "export.xlsx"
            export_documents(docs, "xlsx", book)
        names = set(openpyxl.load_workbook(book, read_only=True).sheetnames)
        for sheet in args.sheets.split(","):
            if sheet not in names:
                continue
            figures = pdf_to_figures(sheet_to_pdf(book, sheet, work))
            print(f"{sheet}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
