"""--lang takes every model spec tesseract takes (language codes, script models, "+" joins,
.traineddata files under --tessdata-dir), and a missing model names the package to install.
Real tesseract: the installed models are listed and read with."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kehoach.core.errors import MissingToolError
from kehoach.ingest.ocr import OcrModels, TesseractEngine, list_models, model_to_package, resolve_models
from kehoach.ingest.render import render_pdf_page

ROOT = Path(__file__).resolve().parent.parent
SHORT_SCAN = ROOT / "samples" / "001-son-la.scan-short.pdf"


def _installed(name: str) -> Path:
    folder, have = list_models()
    path = Path(folder) / f"{name}.traineddata"
    if name not in have or not path.is_file():
        pytest.fail(f"tesseract model {name} is not installed: run scripts/install-system-deps.sh --test")
    return path


@pytest.fixture
def own_tessdata(tmp_path) -> Path:
    """A tessdata folder in tesseract's own layout: vie at the top, the Vietnamese script
    model under script/ (as the upstream model repositories have them)."""
    folder = tmp_path / "tessdata"
    (folder / "script").mkdir(parents=True)
    (folder / "vie.traineddata").symlink_to(_installed("vie"))
    (folder / "script" / "Vietnamese.traineddata").symlink_to(_installed("Vietnamese"))
    return folder


@pytest.mark.parametrize("name, package", [
    ("vie", "tesseract-ocr-vie"),
    ("eng", "tesseract-ocr-eng"),
    ("chi_sim", "tesseract-ocr-chi-sim"),       # underscores become dashes
    ("script/Vietnamese", "tesseract-ocr-script-viet"),
    ("Vietnamese", "tesseract-ocr-script-viet"),  # as Debian lists the script model
    ("script/HanS_vert", "tesseract-ocr-script-hans-vert"),
    ("script/Klingon", None),                    # no such script package
    ("my_finetuned-v2", None),                   # a model of one's own
])
def test_debian_package_of_a_model(name, package):
    assert model_to_package(name) == package


@pytest.mark.ocr
def test_installed_models_are_listed_with_script_models():
    folder, have = list_models()
    assert {"vie", "Vietnamese"} <= have  # pytesseract's own listing drops "Vietnamese"
    assert Path(folder).is_dir()


@pytest.mark.ocr
@pytest.mark.parametrize("spec, lang", [
    ("vie", "vie"),
    ("vie+eng", "vie+eng"),
    ("script/Vietnamese", "Vietnamese"),   # Debian's layout: the script model at the top
    ("Vietnamese", "Vietnamese"),
    ("Vietnamese+vie", "Vietnamese+vie"),
])
def test_specs_resolve_against_the_installed_models(spec, lang):
    assert resolve_models(spec) == OcrModels(lang, None)


@pytest.mark.ocr
@pytest.mark.parametrize("spec, lang", [
    ("script/Vietnamese", "script/Vietnamese"),
    ("Vietnamese", "script/Vietnamese"),   # either spelling finds the script model
    ("vie+script/Vietnamese", "vie+script/Vietnamese"),
])
def test_specs_resolve_in_a_tessdata_folder_of_ones_own(own_tessdata, spec, lang):
    assert resolve_models(spec, str(own_tessdata)) == OcrModels(lang, str(own_tessdata))


@pytest.mark.ocr
def test_a_model_file_is_named_by_its_path(own_tessdata):
    path = own_tessdata / "script" / "Vietnamese.traineddata"
    assert resolve_models(str(path), str(own_tessdata)) == OcrModels("script/Vietnamese", str(own_tessdata))
    # without --tessdata-dir the file's folder is the models' folder
    assert resolve_models(str(path)) == OcrModels("Vietnamese", str(path.parent))
    elsewhere = own_tessdata.parent / "other.traineddata"
    with pytest.raises(ValueError, match="must lie under --tessdata-dir"):
        resolve_models(str(elsewhere), str(own_tessdata))


@pytest.mark.parametrize("spec", ["", "vie+", "+vie", "vie++eng", " "])
def test_malformed_specs_are_usage_errors(spec):
    with pytest.raises(ValueError, match="joined by '\\+'"):
        resolve_models(spec)


def test_a_missing_tessdata_folder_is_a_usage_error(tmp_path):
    with pytest.raises(ValueError, match="no such folder"):
        resolve_models("vie", str(tmp_path / "nowhere"))


@pytest.mark.ocr
def test_a_missing_model_names_the_package_and_the_folder(tmp_path):
    empty = tmp_path / "models"
    empty.mkdir()
    with pytest.raises(MissingToolError) as info:
        resolve_models("vie+script/Vietnamese", str(empty))
    assert "vie, script/Vietnamese" in info.value.message and str(empty) in info.value.message
    assert "vie.traineddata, script/Vietnamese.traineddata" in info.value.hint
    assert "apt-get install tesseract-ocr-vie tesseract-ocr-script-viet" in info.value.hint
    with pytest.raises(MissingToolError) as info:
        resolve_models("my_model", str(empty))
    assert "apt-get" not in info.value.hint  # no package is known for a model of one's own


@pytest.mark.ocr
@pytest.mark.parametrize("spec", ["script/Vietnamese", "vie+eng"])
def test_real_tesseract_reads_a_scan_with_the_spec(spec, own_tessdata):
    """The resolved spec is what tesseract runs with: page 1 of the short scan read with it."""
    models = resolve_models(spec)
    engine = TesseractEngine(lang=models.lang, tessdata_dir=models.tessdata_dir)
    page = render_pdf_page(SHORT_SCAN, 0, 200)[0].crop((0, 0, 1654, 700))  # the header block
    text = "".join(engine.recognize(page, dpi=200).text.split())
    assert "KẾHOẠCH" in text and "SơnLa" in text
    # the same model from a folder of one's own, named by its file
    own = resolve_models(str(own_tessdata / "script" / "Vietnamese.traineddata"), str(own_tessdata))
    engine = TesseractEngine(lang=own.lang, tessdata_dir=own.tessdata_dir)
    assert "KẾHOẠCH" in "".join(engine.recognize(page, dpi=200).text.split())


@pytest.mark.ocr
def test_cli_runs_with_a_script_model_and_reports_missing_ones(tmp_path, own_tessdata):
    from kehoach.cli import app

    runner = CliRunner()
    out = tmp_path / "out"
    scan = tmp_path / "scan.pdf"
    shutil.copy(SHORT_SCAN, scan)
    result = runner.invoke(app, ["ingest", str(scan), "--out", str(out), "--jobs", "1", "--quiet",
                                 "--no-extract", "--no-restore", "--lang", "Vietnamese",
                                 "--tessdata-dir", str(own_tessdata)])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert "KẾ HOẠCH" in record["pages"][0]["raw_text"]
    # a model that is not there: an error record with the package to install, exit 3 (a
    # missing dependency, as OCRmyPDF)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["ingest", str(scan), "--out", str(out), "--jobs", "1", "--quiet",
                                 "--force", "--lang", "script/Vietnamese", "--tessdata-dir", str(empty)])
    assert result.exit_code == 3
    error = json.loads((out / "scan.error.json").read_text(encoding="utf-8"))["error"]
    assert error["code"] == "missing-tool"
    assert "script/Vietnamese" in error["message"]
    assert "tesseract-ocr-script-viet" in error["hint"] and "tesseract-ocr-vie " not in error["hint"]
    # a malformed spec is a usage error
    result = runner.invoke(app, ["ingest", str(scan), "--out", str(out), "--lang", "vie++eng"])
    assert result.exit_code == 2


def test_the_tesseract_engine_and_the_test_engines_are_complete_engines():
    """Ingest calls every part of the engine protocol (nothing is probed for)."""
    from fake_ocr import FailingEngine, RecordedEngine

    from kehoach.ingest.ocr import OcrEngine, TesseractEngine

    for engine in (TesseractEngine(lang="vie"), RecordedEngine(["x"]), FailingEngine()):
        assert isinstance(engine, OcrEngine), type(engine).__name__
    assert not isinstance(object(), OcrEngine)
