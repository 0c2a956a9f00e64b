"""Start-up costs of a run kept to what the run uses."""
from __future__ import annotations

import sys


def import_pytesseract_without_pandas() -> None:
    """Import pytesseract with pandas hidden from it.

    pytesseract imports pandas (~0.2 s, with pyarrow) only to offer DataFrame output, which
    kehoach never asks for (ingest.ocr reads Output.DICT). Every run and every worker paid
    it. pandas stays importable afterwards for the commands that use it (exports).
    """
    if "pytesseract" in sys.modules or "pandas" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # `import pandas` -> ImportError
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        pass  # not installed: ingest.ocr reports it where OCR is needed
    finally:
        if sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]
