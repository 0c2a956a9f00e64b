"""The one place pytesseract is used: recognise a page image into words with boxes.

The engine is passed into the pipeline (``OcrEngine`` protocol), so later stages can be
tested on recorded OCR output while this module is tested against real tesseract.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

from ..core.errors import IngestError, MissingToolError, PageTimeout
from ..schema import Word
from .frames import box_px_to_pt
from .tesseract_lib import LibraryTimeout, ModelLoadError, TesseractLibrary

INSTALL_HINT = "install it with: apt-get install tesseract-ocr tesseract-ocr-vie"
LOW_CONFIDENCE = 55.0  # below this mean word confidence, check the page's orientation
# The models a run reads with when --lang is not given, best first (docs/benchmarks.md):
# the first one installed is taken, a warning says so when it is not the first.
DEFAULT_MODELS = ("vie",)
PACKAGES_FILE = Path(__file__).parent / "data" / "tesseract_packages.yaml"
SCRIPT_PREFIX = "script/"
MODEL_SUFFIX = ".traineddata"


class _PackageNames(BaseModel):
    language_package: str
    script_package: str
    scripts: dict[str, str]


@lru_cache(maxsize=1)
def _package_names() -> _PackageNames:
    from ..core.yaml_data import yaml_to_data

    return _PackageNames.model_validate(yaml_to_data(PACKAGES_FILE.read_text(encoding="utf-8")))


def model_to_package(name: str) -> str | None:
    """Given a tesseract model name ("vie", "chi_sim", "script/Vietnamese", "Vietnamese"),
    return the Debian package that installs it, or None when no package is known."""
    names = _package_names()
    base = name[len(SCRIPT_PREFIX):] if name.startswith(SCRIPT_PREFIX) else name
    if base in names.scripts:
        return names.script_package.format(code=names.scripts[base])
    if name.startswith(SCRIPT_PREFIX) or not re.fullmatch(r"[a-z]{3}(_[a-z]+)*", base):
        return None
    return names.language_package.format(name=base.replace("_", "-"))


@dataclass(frozen=True)
class OcrModels:
    """The models a run reads with, as tesseract is to be given them: ``lang`` for ``-l``
    (e.g. "Vietnamese", "vie+eng"), ``tessdata_dir`` for ``--tessdata-dir`` (None:
    tesseract's own folder). ``warnings``: what a person should know about the choice."""

    lang: str
    tessdata_dir: str | None = None
    warnings: tuple[str, ...] = ()


def import_pytesseract_without_pandas() -> None:
    """Import pytesseract with pandas hidden from it (this module is the one place
    pytesseract is imported; call this before anything else imports it).

    pytesseract imports pandas (~0.2 s, with pyarrow) only to offer DataFrame output, which
    kehoach never asks for (Output.DICT is read). Every run and every worker paid it.
    pandas stays importable afterwards for the commands that use it (exports).
    """
    if "pytesseract" in sys.modules or "pandas" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # `import pandas` -> ImportError
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        pass  # not installed: reported where OCR is needed (MissingToolError)
    finally:
        if sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]


def _tesseract_cmd() -> str:
    import pytesseract

    return pytesseract.pytesseract.tesseract_cmd


def list_models(tessdata_dir: str | None = None) -> tuple[str, frozenset[str]]:
    """Given a tessdata folder (None: tesseract's own), return the folder tesseract reads
    and the model names it lists there ("vie", "script/Vietnamese", ...). Raise
    MissingToolError when tesseract cannot be run. (pytesseract's own listing drops every
    name that is not lowercase letters, script models among them.)"""
    cmd = [_tesseract_cmd(), "--list-langs"]
    if tessdata_dir:
        cmd += ["--tessdata-dir", tessdata_dir]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MissingToolError("tesseract is not installed or not on PATH",
                               hint=INSTALL_HINT) from exc
    lines = (proc.stdout + "\n" + proc.stderr).splitlines()
    folder = tessdata_dir or ""
    names: set[str] = set()
    for line in lines:
        m = re.match(r'List of available languages in "(.*)"', line)
        if m:
            folder = m.group(1)
        elif line.strip() and not line.startswith(("Error", "Warning")) and " " not in line.strip():
            names.add(line.strip())
    return folder.rstrip("/") or folder, frozenset(names)


def _split_spec(spec: str) -> list[str]:
    parts = [p.strip() for p in spec.split("+")]
    if not spec.strip() or any(not p for p in parts):
        raise ValueError(f"--lang {spec!r}: give tesseract models joined by '+', "
                         "e.g. vie, vie+eng, script/Vietnamese")
    return parts


def _path_to_name(part: str, tessdata_dir: str | None) -> tuple[str, str]:
    """Given a --lang part that is a .traineddata path, return (model name, tessdata
    folder): its name relative to --tessdata-dir, or to its own folder without one."""
    path = Path(part).expanduser()
    if not tessdata_dir:
        return path.name[:-len(MODEL_SUFFIX)], str(path.parent)
    try:
        # absolute, links kept: a model folder may link to installed files
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(Path(tessdata_dir).expanduser()))
    except ValueError:
        raise ValueError(f"--lang {part}: a model file must lie under --tessdata-dir "
                         f"{tessdata_dir}") from None
    return rel.as_posix()[:-len(MODEL_SUFFIX)], tessdata_dir


def _find_model(name: str, have: frozenset[str]) -> str | None:
    """Given a model name and the names tesseract lists, return the listed name to use:
    script models are listed as "script/X" in tesseract's own layout and as "X" where a
    distribution puts them at the top of tessdata (Debian), either spelling finds both."""
    if name in have:
        return name
    base = name[len(SCRIPT_PREFIX):] if name.startswith(SCRIPT_PREFIX) else name
    for alt in (base, SCRIPT_PREFIX + base):
        if alt in have and base in _package_names().scripts:
            return alt
    return None


def _missing_error(missing: list[str], folder: str, custom: bool) -> MissingToolError:
    packages = [model_to_package(m) for m in missing]
    known = [p for p in packages if p]
    where = f"in {folder}" if folder else "installed"
    message = f"tesseract has no model {', '.join(missing)} {where}"
    if custom:
        hint = f"put {', '.join(m + MODEL_SUFFIX for m in missing)} in {folder}, or leave out --tessdata-dir"
        if known:
            hint += f" and install {'it' if len(known) == 1 else 'them'} with: apt-get install {' '.join(known)}"
    elif len(known) == len(missing):
        hint = f"install it with: apt-get install {' '.join(known)}"
    else:
        hint = (f"no Debian package is known for {', '.join(m for m, p in zip(missing, packages) if not p)}: "
                "put its .traineddata file in a folder and pass --tessdata-dir")
        if known:
            hint += f"; install the others with: apt-get install {' '.join(known)}"
    return MissingToolError(message, hint=hint)


def resolve_models(spec: str | None = None, tessdata_dir: str | None = None) -> OcrModels:
    """Given a --lang value (tesseract models joined by "+": "vie", "vie+eng",
    "script/Vietnamese", a .traineddata path; None: the default, ``DEFAULT_MODELS``) and a
    --tessdata-dir, return the models as tesseract here takes them. Raise ValueError for a
    malformed value, MissingToolError (with the package to install) for a missing model."""
    parts = _split_spec(spec) if spec is not None else None
    if tessdata_dir and not os.path.isdir(os.path.expanduser(tessdata_dir)):
        raise ValueError(f"--tessdata-dir {tessdata_dir}: no such folder")
    names: list[str] = []
    folder_given = tessdata_dir
    for part in parts or []:
        if part.endswith(MODEL_SUFFIX):
            name, tessdata_dir = _path_to_name(part, tessdata_dir)  # the first sets the folder
            names.append(name)
        else:
            names.append(part)
    folder, have = list_models(tessdata_dir)
    if parts is None:
        found = [m for m in (_find_model(d, have) for d in DEFAULT_MODELS) if m]
        if not found:
            raise _missing_error([DEFAULT_MODELS[0]], folder, bool(folder_given))
        warnings = ()
        if found[0] != _find_model(DEFAULT_MODELS[0], have):
            package = model_to_package(DEFAULT_MODELS[0])
            warnings = (f"OCR reads with {found[0]}: the more accurate {DEFAULT_MODELS[0]} is "
                        "not installed" + (f" (apt-get install {package})" if package else ""),)
        return OcrModels(found[0], tessdata_dir, warnings)
    resolved = [_find_model(n, have) for n in names]
    missing = [n for n, r in zip(names, resolved) if r is None]
    if missing:
        raise _missing_error(missing, folder, bool(tessdata_dir))
    return OcrModels("+".join(resolved), tessdata_dir)


@dataclass
class OcrResult:
    text: str
    words: list[Word]
    confidence: float | None
    rotation: int = 0
    warnings: list[str] = field(default_factory=list)


@runtime_checkable
class OcrEngine(Protocol):
    """An OCR engine, complete: ingest calls every part (none is optional, none is probed
    for). Boxes are returned in PDF points (px * 72 / dpi); psm: tesseract's page
    segmentation mode, None for the engine's own. ``TesseractEngine`` is the one real
    engine; tests of the later stages pass engines that answer without it."""

    name: str
    fix_orientation: bool  # turn pages read with low confidence upright (``orientation``)

    def recognize(self, image, *, dpi: int, timeout: float | None = None,
                  psm: int | None = None) -> OcrResult:
        """Given a page image, return its words and text."""
        ...

    def recognize_many(self, images: list, *, dpi: int, timeout: float | None = None,
                       psm: int | None = None) -> list[OcrResult]:
        """Given images, return one result per image, in order, read in one run (a page
        and its table rows: ingest.scan_page)."""
        ...

    def orientation(self, image, timeout: float | None = None) -> int:
        """Given a page image, return the clockwise rotation (0/90/180/270) that makes it
        upright (0 when it cannot tell)."""
        ...


class TesseractEngine:
    """Tesseract with the LSTM engine: its library loaded in this process (one model load
    per process, ingest.tesseract_lib) or, without it, one tesseract command per call
    (pytesseract)."""

    name = "tesseract"

    def __init__(self, lang: str = "vie", psm: int = 3, fix_orientation: bool = True,
                 tessdata_dir: str | None = None, in_process: bool = True):
        self.lang = lang  # as tesseract takes it (see ``resolve_models``)
        # read with the tesseract library in this process when it is there (one model load
        # per process), else with the command (ingest.tesseract_lib)
        self.in_process = in_process
        self.tessdata_dir = tessdata_dir
        self.psm = psm
        self.fix_orientation = fix_orientation
        # OpenMP threads fight each other when pages run in parallel processes
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    def check(self) -> OcrModels:
        """Raise MissingToolError unless tesseract and every requested model exist (with
        the package to install); return the models as tesseract takes them. One tesseract
        start (--list-langs), as every run pays it."""
        return resolve_models(self.lang, self.tessdata_dir)

    def recognize(self, image, *, dpi: int, timeout: float | None = None,
                  psm: int | None = None) -> OcrResult:
        return self.recognize_many([image], dpi=dpi, timeout=timeout, psm=psm)[0]

    def recognize_many(self, images: list, *, dpi: int, timeout: float | None = None,
                       psm: int | None = None) -> list[OcrResult]:
        """Recognise several images in one tesseract run (one start, one model load), each
        laid out on its own as a page of its own; one result per image, in order."""
        import pytesseract

        psm = self.psm if psm is None else psm
        try:
            # uncompressed TIFFs are written ~10x faster than the PNG pytesseract would make
            # (and tesseract reads them ~5% faster than PGMs);
            # a text file listing images makes tesseract read them all in one run
            with tempfile.TemporaryDirectory(prefix="kehoach-ocr-") as tmp:
                paths = []
                for i, image in enumerate(images):
                    paths.append(os.path.join(tmp, f"p{i}.tif"))
                    # compression named: an image keeps its source's ("group4" of a fax
                    # TIFF) in .info, which Pillow would reuse and cannot write for mode L
                    (image if image.mode in ("L", "1") else image.convert("L")).save(
                        paths[-1], compression="raw")
                path = paths[0]
                if len(paths) > 1:
                    path = os.path.join(tmp, "pages.txt")
                    with open(path, "w", encoding="utf-8") as fh:
                        fh.write("\n".join(paths) + "\n")
                data = self._read_files(paths, path, dpi, psm, timeout)
        except pytesseract.TesseractNotFoundError as exc:
            raise MissingToolError("tesseract is not installed or not on PATH",
                                   hint=INSTALL_HINT) from exc
        except pytesseract.TesseractError as exc:
            msg = str(exc)
            if "Failed loading language" in msg or "Error opening data file" in msg:
                raise self._missing_model() from exc
            raise IngestError(f"tesseract failed: {msg[:300]}", code="ocr-failed") from exc
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise PageTimeout(f"OCR took longer than {timeout:g} s",
                                  hint="raise --page-timeout, or check the page image") from exc
            raise IngestError(f"tesseract failed: {exc}", code="ocr-failed") from exc
        except LibraryTimeout as exc:
            raise PageTimeout(str(exc), hint="raise --page-timeout, or check the page image") from exc
        except ModelLoadError as exc:
            raise self._missing_model() from exc
        except OSError as exc:
            raise IngestError(f"tesseract failed: {exc}"[:300], code="ocr-failed") from exc
        return [data_to_result(d, 72.0 / dpi) for d in split_pages(data, len(images))]

    def _read_files(self, paths: list[str], path: str, dpi: int, psm: int,
                    timeout: float | None) -> dict:
        """Given the image files (and the one file naming them all when more than one),
        return pytesseract's columns of their words: read by the tesseract library loaded
        in this process when it can (ingest.tesseract_lib: the same TSV, one model load per
        process), else by the command."""
        import pytesseract

        loaded = TesseractLibrary.get(_tesseract_cmd(), self.lang, self.tessdata_dir) if self.in_process else None
        if loaded is None:
            return pytesseract.image_to_data(path, lang=self.lang, config=self._config(dpi, psm),
                                             output_type=pytesseract.Output.DICT, timeout=timeout or 0)
        return pytesseract.pytesseract.file_to_dict(loaded.files_to_tsv(paths, dpi, psm, timeout), "\t", -1)

    def _missing_model(self) -> MissingToolError:
        missing = [n for n in self.lang.split("+") if model_to_package(n)]
        hint = (f"install it with: apt-get install {' '.join(map(model_to_package, missing))}"
                if missing and not self.tessdata_dir else INSTALL_HINT)
        return MissingToolError(f"tesseract cannot load model '{self.lang}'", hint=hint)

    def _config(self, dpi: int, psm: int) -> str:
        # tessedit_do_invert=0 (no inverted-text retry of doubtful lines) was measured: no
        # speed gain within noise, and a few characters lost on the sample scans' prose
        config = f"--oem 1 --psm {psm} --dpi {dpi}"
        if self.tessdata_dir:
            config += f" --tessdata-dir {shlex.quote(self.tessdata_dir)}"
        return config

    def orientation(self, image, timeout: float | None = None) -> int:
        """Return the clockwise rotation (0/90/180/270) that makes the page upright."""
        import pytesseract

        config = "--psm 0 -c min_characters_to_try=10"
        if self.tessdata_dir and os.path.isfile(os.path.join(self.tessdata_dir, "osd" + MODEL_SUFFIX)):
            config += f" --tessdata-dir {shlex.quote(self.tessdata_dir)}"
        try:
            osd = pytesseract.image_to_osd(image, config=config, timeout=timeout or 0)
        except Exception:  # too little text to tell; keep the page as it is
            return 0
        m = re.search(r"Rotate:\s*(\d+)", osd)
        return int(m.group(1)) % 360 if m else 0


def split_pages(data: dict, n: int) -> list[dict]:
    """Given image_to_data output over n images (page_num 1..n), return one dict per image."""
    if n == 1:
        return [data]
    out: list[dict] = [{k: [] for k in data} for _ in range(n)]
    for i, page in enumerate(data.get("page_num", [])):
        if 1 <= int(page) <= n:
            for k, values in data.items():
                out[int(page) - 1][k].append(values[i])
    return out


def data_to_result(data: dict, px_to_pt: float) -> OcrResult:
    """Given pytesseract image_to_data output, return the page text and words in points.

    Lines keep tesseract's reading order; a blank line separates blocks, so paragraph
    structure survives. ``Word.line`` is the index of the word's line in the returned text.
    """
    n = len(data.get("text", []))
    lines: list[list[Word]] = []
    text_lines: list[str] = []
    prev_key = None
    prev_bottom: float | None = None
    prev_height = 0.0
    confs: list[float] = []
    for i in range(n):
        token = unicodedata.normalize("NFC", (data["text"][i] or "").strip())
        if not token:
            continue
        key = (data["page_num"][i], data["block_num"][i], data["par_num"][i], data["line_num"][i])
        x, y = float(data["left"][i]), float(data["top"][i])
        w, h = float(data["width"][i]), float(data["height"][i])
        if key != prev_key:
            # a blank line where the page shows vertical space, so paragraphs survive
            # (tesseract's own blocks also split columns and table cells)
            if prev_bottom is not None and y - prev_bottom > 1.3 * max(h, prev_height):
                text_lines.append("")
                lines.append([])
            text_lines.append("")
            lines.append([])
            prev_key = key
        try:
            conf = float(data["conf"][i])
        except (TypeError, ValueError):
            conf = -1.0
        word = Word(
            text=token,
            bbox=box_px_to_pt((x, y, x + w, y + h), px_to_pt, 2),
            conf=round(conf, 1) if conf >= 0 else None,
            line=len(text_lines) - 1,
        )
        if conf >= 0:
            confs.append(conf)
        lines[-1].append(word)
        prev_bottom, prev_height = y + h, h
        text_lines[-1] = f"{text_lines[-1]} {token}" if text_lines[-1] else token
    words = [w for line in lines for w in line]
    mean = round(sum(confs) / len(confs), 1) if confs else None
    return OcrResult(text="\n".join(text_lines), words=words, confidence=mean)
