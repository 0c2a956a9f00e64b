"""Shared parts below every stage: errors, settings, text folding, the corpus paths, the
Vietnamese syllable inventory."""
