"""Settings for one run, validated once and passed to every stage (picklable)."""
from __future__ import annotations

import os
from dataclasses import dataclass


def kehoach_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kehoach")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+source"


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    # tesseract models as tesseract takes them (ingest.ocr.resolve_models); None = the
    # most accurate default model installed (ingest.ocr.DEFAULT_MODELS)
    lang: str | None = None
    tessdata_dir: str | None = None  # folder of the models; None = tesseract's own
    dpi: int = 300                 # render resolution of PDF pages for OCR
    jobs: int = 0                  # worker processes; 0 = number of cores
    page_timeout: float = 600.0    # seconds one page may take in OCR; 0 = no limit
    file_timeout: float = 600.0    # seconds one input may take in each of ingest (parsing),
    #                                normalize (restoration) and extract; 0 = no limit
    psm: int = 3                   # tesseract page segmentation mode
    force_ocr: bool = False        # OCR every PDF page even when its text layer is good
    restore: bool = True           # run diacritic restoration on OCR / plain-text pages
    model: str | None = None       # restoration model path; None = bundled model
    extract: bool = True           # run the extractors
    force: bool = False            # redo inputs whose record already exists
    ocr_unavailable: str | None = None  # why OCR cannot run here; pages needing it fail
    ocr_hint: str | None = None    # and what to install


    def __post_init__(self) -> None:
        if not 50 <= self.dpi <= 1200:
            raise ValueError(f"--dpi must be between 50 and 1200, not {self.dpi}")
        if self.jobs < 0:
            raise ValueError("--jobs must be 0 (all cores) or more")
        if self.page_timeout < 0:
            raise ValueError("--page-timeout must be 0 (no limit) or more seconds")
        if self.file_timeout < 0:
            raise ValueError("--file-timeout must be 0 (no limit) or more seconds")
        if self.model is not None and not os.path.isfile(self.model):
            raise ValueError(f"--model {self.model}: no such file")

    def fingerprint(self) -> str:
        """A short hash of everything that shapes a record (not jobs, timeouts, --force)."""
        import hashlib
        import json

        model = None
        if self.model:
            st = os.stat(self.model)
            model = [os.path.abspath(self.model), st.st_size, int(st.st_mtime)]
        shape = [kehoach_version(), self.lang, self.tessdata_dir, self.dpi, self.psm, self.force_ocr, self.restore,
                 model, self.extract]
        return hashlib.sha1(json.dumps(shape).encode()).hexdigest()[:16]

    @property
    def workers(self) -> int:
        return self.jobs or default_jobs()
