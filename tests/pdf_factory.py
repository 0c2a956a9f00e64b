"""Small PDFs made on the fly for tests (fpdf2 + DejaVu Sans shipped in samples/fonts)."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from samples import FONT_DIR

FONT = str(FONT_DIR / "DejaVuSans.ttf")
BODY = ("Căn cứ Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo Trung ương về phát "
        "triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số, Ủy ban nhân dân xã Chợ "
        "Đồn ban hành Kế hoạch triển khai thực hiện như sau.")


def make_pdf(path: Path, pages: list[str], password: str | None = None) -> Path:
    pdf = FPDF()
    pdf.add_font("dv", fname=FONT)
    pdf.set_font("dv", size=13)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 7, text)
    if password is not None:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.output(str(path))
    return path
