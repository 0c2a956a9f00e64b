"""Reading the project's YAML data files (rule tables, labels, catalogues).

PyYAML's libyaml parser (``CSafeLoader``) reads them ~10x faster than its pure-Python one,
which cost ~0.1 s per process for the rule tables; both are safe loaders giving the same
data, and the pure-Python one is used where PyYAML was built without libyaml."""
from __future__ import annotations

from typing import IO, Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_to_data(source: str | IO[str]) -> Any:
    """Given YAML text (or an open text file), return its data (safe tags only)."""
    return yaml.load(source, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python
