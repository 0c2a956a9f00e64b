"""Where kehoach keeps what it derives from its data files to load them faster next time
(the restoration model's compiled language model): ``KEHOACH_CACHE_DIR``, else
``$XDG_CACHE_HOME/kehoach``, else ``~/.cache/kehoach``. ``KEHOACH_CACHE_DIR=""`` turns
the cache off. What is kept there is keyed by the content it was made from: deleting the
folder only costs the next run the time to make it again.
"""
from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path | None:
    """Return the cache folder (not created here), or None when the cache is turned off."""
    own = os.environ.get("KEHOACH_CACHE_DIR")
    if own is not None:
        return Path(own) if own else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kehoach"
