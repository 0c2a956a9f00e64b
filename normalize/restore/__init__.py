"""Vietnamese diacritic restoration and OCR correction: a noisy-channel model.

For every whitespace token the restorer chooses the most likely correct syllable `g` given
what OCR printed `r`:  argmax P(r | g) * P(g | two syllables before), decoded per paragraph
with a second-order Viterbi over small per-token candidate lists.

- Channel P(r | g) (channel.py), learned from aligned (raw, gold) word pairs (the corpus's
  token-aligned raw/gold files, plus synthetic pairs from rendering gold text and OCR-ing it):
  raw words are aligned character-wise with the *folded* gold word (no diacritics), giving
  rewrite chunks with probabilities ('6'->'o', 'ii'->'u', 'w'->'u', 'p'->'d', '¢'->'e').
  Candidates are all known syllables whose folded form a cheap rewrite of the raw word
  reaches; whole-word pairs seen in training ('cia'->'của') add direct evidence. Diacritics
  are left to the LM, since eng-OCR keeps them unreliably.
- LM (lm.py): syllable trigram with stupid backoff from the corpus gold texts (weighted up,
  in domain), VLSP sentences, administrative unit names and word lists (registry packages).
- Regime: a text whose words are mostly marked, known syllables is read as clean (correct
  text or tesseract `vie` output); then keeping a syllable is free and changing it costs
  more, so correct Vietnamese passes through unchanged and only tone slips are fixed.
- Numbers and codes are kept (they feed the LM as <num>/<code>); code letter segments are
  fixed only by a table learned from pairs (QD -> QĐ) when consistent.
One output token per input token, whitespace and lines kept; edits are returned.
"""
from .model import RestoreResult, Restorer

__all__ = ["Restorer", "RestoreResult"]
