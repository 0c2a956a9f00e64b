"""Settings for one run, validated once and passed to every stage (picklable)."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


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
    # resolution PDF pages are OCR'd at; None (--dpi own, the default): each page's own,
    # its scanned image's (300 for a page without one), enlarged where its text is small
    # (ingest.resolution), image files too; a number: PDF pages rendered at it, image
    # files read at their own resolution as they are (docs/benchmarks.md, issue 17)
    dpi: int | None = None
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
        if self.dpi is not None and not 50 <= self.dpi <= 1200:
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
        """A short hash of everything that shapes a record (not jobs, timeouts, --force):
        ``<reading>-<rules>``, see ``reading_fingerprint`` and ``rules_fingerprint``."""
        return f"{self.reading_fingerprint()}-{self.rules_fingerprint()}"

    def reading_fingerprint(self) -> str:
        """A short hash of the options that shape how pages are read (text layer or OCR,
        models, resolution, segmentation). Nothing else: a new kehoach version or new rules
        never read (OCR) an archive again; when only the rules fingerprint changed, a
        record's saved pages are normalized and extracted again (``--force`` reads anew)."""
        return _short_hash([self.lang, self.tessdata_dir, self.dpi, self.psm, self.force_ocr])

    def rules_fingerprint(self) -> str:
        """A short hash of what turns read pages into a record: the kehoach version, the
        restoration model (its content), the rule tables and the code of the stages that run
        on read pages (``rule_files``)."""
        model = None
        if self.restore:
            model = file_digest(self.model) if self.model else file_digest(str(BUNDLED_MODEL))
        rules = stage_rules_digest() if (self.restore or self.extract) else None
        return _short_hash([kehoach_version(), self.restore, model, self.extract, rules])

    @property
    def workers(self) -> int:
        return self.jobs or default_jobs()


ROOT = Path(__file__).resolve().parent.parent
BUNDLED_MODEL = ROOT / "normalize" / "data" / "restore_model.json.gz"
# the code and rule tables of what runs on read pages: the shared ground floor, the record
# model, normalize and extract (restoration training sources are left out: they change
# records only through a retrained model file, hashed on its own)
RULE_DIRS = ("core", "schema", "normalize", "extract")
RULE_SUFFIXES = {".py", ".yaml", ".yml", ".tsv", ".json", ".toml", ".csv"}
RULES_EXCLUDED = {"restore_sources", "__pycache__"}
# rule data the extract stage reads from outside its folder (extract.units_identity: the
# national list of places)
RULE_EXTRA_FILES = ("normalize/data/restore_sources/admin_units.txt.gz",)


def _short_hash(shape) -> str:
    return hashlib.sha1(json.dumps(shape).encode()).hexdigest()[:16]


def file_digest(path: str) -> str | None:
    """The sha1 of a file's content (None when it cannot be read), once per file version."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _file_digest(os.path.abspath(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=16)
def _file_digest(path: str, size: int, mtime_ns: int) -> str | None:
    h = hashlib.sha1()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def rule_files(root: Path = ROOT) -> list[Path]:
    """Given the package folder, return the files whose content shapes a record made from
    read pages (``RULE_DIRS`` code and tables, ``RULE_EXTRA_FILES``), in a stable order."""
    found = [path for top in RULE_DIRS for path in sorted((root / top).rglob("*"))
             if path.suffix in RULE_SUFFIXES and path.is_file()
             and not RULES_EXCLUDED & set(path.relative_to(root).parts)]
    return found + [root / name for name in RULE_EXTRA_FILES if (root / name).is_file()]


@lru_cache(maxsize=4)
def stage_rules_digest(root: Path = ROOT) -> str:
    """The sha1 of ``rule_files`` under ``root`` (names and content), once per process."""
    h = hashlib.sha1()
    for path in rule_files(root):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
