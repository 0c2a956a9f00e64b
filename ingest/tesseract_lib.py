"""Tesseract run in this process through its library's C API (libtesseract, with ctypes).

The tesseract command loads its model on every start: ~0.1 s of CPU per page of a scan,
paid by every page kehoach, OCRmyPDF or a shell loop reads with it. The library keeps one
model loaded per process and reads each image as the command does: the same file read by
leptonica (``pixRead``), the same engine (LSTM), segmentation mode and resolution
(``user_defined_dpi``), the same TSV out (``GetTSVText``, one page per image, as the
command writes a list file's pages). ``ingest.ocr.TesseractEngine`` uses it when the library
is there and is the version of the tesseract command, else it runs the command.

A page that takes longer than its timeout is stopped by tesseract itself (a monitor with a
deadline) and raises ``LibraryTimeout``. Unlike the command, a crash inside the library
ends the process: the batch's worker processes are what isolates one input's crash.
"""
from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import subprocess
import threading
import time

TSV_HEADER = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\t"
              "height\tconf\ttext\n")  # what the command's TSV renderer writes first
OEM_LSTM_ONLY = 1


class LibraryTimeout(Exception):
    """Tesseract stopped reading an image at its deadline."""


class ModelLoadError(Exception):
    """The library could not load a requested model."""


def _bind(lib, name: str, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype, fn.argtypes = restype, list(argtypes)
    return fn


class _Library:
    """libtesseract's and leptonica's functions used here, with their C types."""

    def __init__(self, tess, lept):
        p, c, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        self.version = _bind(tess, "TessVersion", c)
        self.create = _bind(tess, "TessBaseAPICreate", p)
        self.init = _bind(tess, "TessBaseAPIInit2", i, p, c, c, i)
        self.end = _bind(tess, "TessBaseAPIEnd", None, p)
        self.delete = _bind(tess, "TessBaseAPIDelete", None, p)
        self.set_variable = _bind(tess, "TessBaseAPISetVariable", i, p, c, c)
        self.set_psm = _bind(tess, "TessBaseAPISetPageSegMode", None, p, i)
        self.set_image = _bind(tess, "TessBaseAPISetImage2", None, p, p)
        self.recognize = _bind(tess, "TessBaseAPIRecognize", i, p, p)
        self.tsv = _bind(tess, "TessBaseAPIGetTsvText", p, p, i)
        self.delete_text = _bind(tess, "TessDeleteText", None, p)
        self.monitor = _bind(tess, "TessMonitorCreate", p)
        self.monitor_deadline = _bind(tess, "TessMonitorSetDeadlineMSecs", None, p, i)
        self.monitor_delete = _bind(tess, "TessMonitorDelete", None, p)
        self.pix_read = _bind(lept, "pixRead", p, c)
        self.pix_destroy = _bind(lept, "pixDestroy", None, ctypes.POINTER(p))


_lock = threading.Lock()
_library: dict[int, _Library | None] = {}          # per process id
# (pid, thread, models, folder) -> loaded model: a model per thread, so that threads that
# OCR side by side (Dask's workers) are not queued on one
_handles: dict[tuple, "TesseractLibrary"] = {}


def _load_library(command: str) -> _Library | None:
    """Given the tesseract command, return its library's functions, or None when the
    library cannot be loaded or is not the command's version (then the command is run)."""
    try:
        tess = ctypes.CDLL(ctypes.util.find_library("tesseract") or "libtesseract.so.5")
        lept = ctypes.CDLL(ctypes.util.find_library("lept") or ctypes.util.find_library("leptonica")
                           or "liblept.so.5")
        lib = _Library(tess, lept)
        proc = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, AttributeError, subprocess.TimeoutExpired):
        return None
    first = (proc.stdout or proc.stderr).strip().splitlines()[:1]
    if proc.returncode != 0 or first != [f"tesseract {lib.version().decode()}"]:
        return None
    return lib


def library(command: str) -> _Library | None:
    """The library's functions for this process (loaded once), or None (see _load_library)."""
    pid = os.getpid()
    with _lock:
        if pid not in _library:
            _library[pid] = None if os.environ.get("KEHOACH_TESSERACT") == "command" else _load_library(command)
        return _library[pid]


class TesseractLibrary:
    """One model (``lang`` as the command's ``-l`` takes it) loaded in this process, for
    one thread."""

    def __init__(self, lib: _Library, lang: str, tessdata_dir: str | None):
        self.lib = lib
        self.api = lib.create()
        datapath = tessdata_dir.encode() if tessdata_dir else None
        if lib.init(self.api, datapath, lang.encode(), OEM_LSTM_ONLY) != 0:
            lib.delete(self.api)
            self.api = None
            raise ModelLoadError(f"tesseract cannot load model '{lang}'")
        # its notes ("Detected 48 diacritics") went to the command's stderr, unread
        lib.set_variable(self.api, b"debug_file", os.devnull.encode())
        self.busy = threading.Lock()

    @classmethod
    def get(cls, command: str, lang: str, tessdata_dir: str | None) -> "TesseractLibrary | None":
        """Given the command and the models, return the process's loaded model (loaded on
        first use), or None when the library is not to be used."""
        lib = library(command)
        if lib is None:
            return None
        key = (os.getpid(), threading.get_ident(), lang, tessdata_dir)
        with _lock:
            if key not in _handles:
                _handles[key] = cls(lib, lang, tessdata_dir)
            return _handles[key]

    def files_to_tsv(self, paths: list[str], dpi: int, psm: int, timeout: float | None) -> str:
        """Given image files, return the TSV the command writes for them (one page each,
        numbered from 1 in their order)."""
        lib, api = self.lib, self.api
        parts = [TSV_HEADER]
        with self.busy:
            lib.set_psm(api, psm)
            lib.set_variable(api, b"user_defined_dpi", str(dpi).encode())
            for number, path in enumerate(paths):
                pix = ctypes.c_void_p(lib.pix_read(path.encode()))
                if not pix.value:
                    raise OSError(f"leptonica cannot read {os.path.basename(path)}")
                monitor = lib.monitor()
                try:
                    if timeout:
                        lib.monitor_deadline(monitor, max(1, int(timeout * 1000)))
                    lib.set_image(api, pix)
                    started = time.monotonic()
                    if lib.recognize(api, monitor) != 0:
                        # a failure before the deadline is no timeout (it would get the wrong hint)
                        if timeout and time.monotonic() - started >= 0.9 * timeout:
                            raise LibraryTimeout(f"OCR took longer than {timeout:g} s")
                        raise OSError("tesseract could not read the image")
                    text = lib.tsv(api, number)
                    parts.append(ctypes.string_at(text).decode("utf-8") if text else "")
                    if text:
                        lib.delete_text(text)
                finally:
                    lib.monitor_delete(monitor)
                    lib.pix_destroy(ctypes.byref(pix))
        return "".join(parts)

    def close(self) -> None:
        if self.api:
            self.lib.end(self.api)
            self.lib.delete(self.api)
            self.api = None


@atexit.register
def _close_all() -> None:
    """Release this process's models at exit (tesseract reports objects still held)."""
    pid = os.getpid()
    for key, handle in list(_handles.items()):
        if key[0] == pid:
            handle.close()
