"""Start-up of a run: pytesseract without pandas, the model and tables warmed in a thread."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return proc.stdout.strip()


def test_pytesseract_imported_without_pandas_and_pandas_still_importable():
    out = _run(
        "import sys; from kehoach.ingest.ocr import import_pytesseract_without_pandas as f; f();"
        "a = 'pytesseract' in sys.modules; b = 'pandas' in sys.modules;"
        "import pytesseract; c = pytesseract.pytesseract.pandas_installed;"
        "import pandas; print(a, b, c, 'pandas' in sys.modules)")
    assert out == "True False False True"


def test_warm_up_thread_loads_the_restoration_model_once():
    out = _run(
        "from kehoach.pipeline.runner import start_warm_up, wait_warm_up;"
        "from kehoach.core.settings import Settings;"
        "from kehoach.normalize.restore.model import _load_cached;"
        "start_warm_up(Settings()); start_warm_up(Settings()); wait_warm_up();"
        "print(_load_cached.cache_info().currsize, _load_cached.cache_info().misses)")
    assert out == "1 1"


def test_warm_up_skips_everything_when_nothing_is_finished():
    out = _run(
        "from kehoach.pipeline.runner import warm_up; from kehoach.core.settings import Settings;"
        "from kehoach.normalize.restore.model import _load_cached;"
        "warm_up(Settings(restore=False, extract=False)); print(_load_cached.cache_info().currsize)")
    assert out == "0"


def test_inline_batch_of_text_layer_pdfs_never_loads_the_model(tmp_path):
    """Born-digital pages go to no OCR and need no restoration: no warm-up, no model."""
    pdf = sorted(p for p in (ROOT / "samples").glob("*.pdf") if "scan" not in p.name)[0]
    out = _run(
        "import sys; from pathlib import Path;"
        "from kehoach.pipeline.batch import run_batch; from kehoach.core.settings import Settings;"
        "from kehoach.normalize.restore.model import _load_cached;"
        f"r = run_batch([Path({str(pdf)!r})], Path({str(tmp_path)!r}), Settings(jobs=1));"
        "print(len(r.written), _load_cached.cache_info().currsize)")
    assert out == "1 0"
