"""The data files read with libyaml's loader give what the pure-Python safe loader gives."""
from pathlib import Path

import pytest
import yaml

from kehoach.core.yaml_data import SAFE_LOADER, yaml_to_data

ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = sorted(p for p in ROOT.glob("*/**/*.yaml")
                    if not {".venv", "tests", "samples"} & set(p.relative_to(ROOT).parts))


def test_libyaml_is_used_when_pyyaml_has_it():
    assert SAFE_LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
    assert issubclass(SAFE_LOADER, yaml.SafeLoader) or SAFE_LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_data_file_reads_as_with_the_python_loader(path):
    text = path.read_text(encoding="utf-8")
    assert yaml_to_data(text) == yaml.load(text, Loader=yaml.SafeLoader)


def test_unsafe_tags_are_refused():
    with pytest.raises(yaml.YAMLError):
        yaml_to_data("!!python/object/apply:os.system ['true']")


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_data_file_is_nfc(path):
    """Rule tables are written in NFC, the project's one text form: the code matching with
    them (the unit registry, its forms) does not normalize their words again."""
    import unicodedata

    text = path.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text
