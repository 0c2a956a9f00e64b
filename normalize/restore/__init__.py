"""Vietnamese diacritic restoration and OCR correction: a noisy-channel model.

For every whitespace token the restorer chooses the syllable `g` that maximises
P(r | g) * P(g | two syllables before), where `r` is what OCR printed, decoding each
paragraph/sentence with a second-order Viterbi over small per-token candidate lists.

- Decoding (decode.py): the text becomes a lattice of integer-coded candidates (tokens x
  slots); LM scores are gathered in bulk from numpy hash tables, a bigram forward-backward
  pass keeps each token's few likely candidates, and an exact trigram Viterbi runs all
  sentences side by side in numpy. Candidate lists are cached per raw word (and shipped in
  the model for the raw words seen in training), the channel's rewrite search per raw
  prefix/suffix; no Python loop runs per token x state.
- Channel P(r | g) (channel.py), learned from aligned (raw, gold) word pairs: the corpus's
  token-aligned raw/gold files plus synthetic pairs (gold texts rendered and OCR-ed with
  tesseract `-l eng`, scripts/synth_ocr_pairs.py). A raw word is aligned character-wise with
  the *folded* gold word (no diacritics), giving rewrite chunks with -log P(raw chunk | gold
  chunk) ('6'<-'o', 'ii'<-'u', 'w'<-'u', 'p'<-'d', '¢'<-'e'). Candidates are the known
  syllables whose folded form a cheap rewrite of the raw word reaches (one unseen edit is
  tried only when no learned rewrite works); whole-word pairs seen in training ('cia' ->
  'của'), the tone mark the raw word kept ('vé' -> about về) and learned mark costs
  (-log P(raw char | gold char) / P(raw char | its letter): 'é' stands for ê/ế/ề far more
  than for à) add evidence. A word no learned rewrite reads (thivc, ngw0i) also gets the
  syllables at most two edits of its folded form away, at a price the LM must outweigh. An unknown word with no cheap single reading may be two
  syllables OCR ran together (xahoi -> xãhội), scored with the pair's LM probability.
- LM (lm.py): syllable trigram, interpolated Witten-Bell with a backoff weight per context
  (a frequent context with few followers backs off little), from the corpus gold texts
  (weighted up: in domain), VLSP sentences, administrative unit names and word lists
  (registry packages, scripts/fetch_restore_sources.py); how much a context's distinct
  followers weigh is tuned by held-out likelihood on the training documents. A second pass adds the document's own repeated
  first-pass bigrams as a cache, so a plan's recurring phrases are read consistently.
- Regime: a text whose words are mostly marked, known syllables is read as clean (correct
  text or tesseract `vie` output): keeping a syllable is free; same-skeleton changes cost a
  tone/hat slip learned from synthetic `vie` OCR pairs (ả read as ẳ), others more; unknown
  unmarked words (GRDP, email) stay. So correct Vietnamese passes through unchanged. An
  unknown marked word (or one with letters no Vietnamese or English word has: theø) is
  a misread: a second channel, learned on the skeleton of synthetic `vie` OCR words
  ('rig' for ng), proposes syllables, their marks compared with the word's.
- Orthography: the LM and vocabulary use modern tone placement (hóa, thủy); an input word
  whose only difference is the old placement is left as written.
- Numbers and codes are kept (they feed the LM as <num>/<code>); code letter segments are
  fixed only when certain: a fix learned from pairs (QD -> QĐ), or D/P/B read for Đ where
  exactly one reading is a known abbreviation (HDND -> HĐND, 10-KH/DU -> 10-KH/ĐU).
- Glued words: a word with a mark between letter runs is read without the mark when its
  letters make one syllable cheaply (ngu:ol: noise inside a word), else part by part, each
  part a token of the lattice and the mark kept (liéu'ciia -> liệu'của, te-xa -> tế-xã).
- Section numerals (numerals.py, data/section_numerals.yaml): a Roman numeral opening a
  heading in capitals that OCR printed with look-alikes ('Il.', 'Ih', '1y') is read
  letter by letter or as the numbering's order expects.
One output token per input token, whitespace and lines kept; the edits are returned.
The model is one gzipped JSON file (normalize/data/restore_model.json.gz, `make model`);
its language model is compiled into the cache folder on first load (compiled.py).
"""
from .model import RestoreResult, Restorer

__all__ = ["Restorer", "RestoreResult"]
