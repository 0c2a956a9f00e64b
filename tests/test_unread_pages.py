"""Pages that could not be read are named in the batch's warnings; an input none of whose
pages could be read counts as failed (exit code 1), one with some pages read does not."""
from __future__ import annotations

from PIL import Image

from kehoach.core.errors import IngestError
from kehoach.pipeline.batch import run_batch
from kehoach.core.settings import Settings
from fake_ocr import FakeEngine, lines_to_result

BAD_WIDTH = 620  # pages of this width make the fake engine fail


class HalfBrokenEngine(FakeEngine):
    """An OCR engine that reads every page except those BAD_WIDTH pixels wide."""

    def read(self, image, dpi):
        if image.width == BAD_WIDTH:
            raise IngestError("tesseract crashed on this page", code="ocr-failed")
        return lines_to_result(["Kế hoạch"], conf=95.0)


def test_unread_pages_are_reported_and_an_unread_input_fails(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.new("L", (600, 800), 255).save(src / "good.png", dpi=(100, 100))
    Image.new("L", (BAD_WIDTH, 800), 255).save(src / "bad.png", dpi=(100, 100))
    frames = [Image.new("L", (600, 800), 255), Image.new("L", (BAD_WIDTH, 800), 255)]
    frames[0].save(src / "half.tiff", save_all=True, append_images=frames[1:], dpi=(100, 100))
    inputs = sorted(src.iterdir())
    report = run_batch(inputs, tmp_path / "out", Settings(jobs=1, restore=False),
                       engine=HalfBrokenEngine())
    assert sorted(p.name for p in report.written) == ["bad.json", "good.json", "half.json"]
    assert sorted(p.name for p in report.incomplete) == ["bad.png", "half.tiff"]
    assert [p.name for p in report.unread] == ["bad.png"]
    assert report.exit_code == 1
    bad, half = sorted(report.notes)
    assert bad.startswith("bad.png: 1 of 1 pages could not be read (pages 1; ocr-failed")
    assert half.startswith("half.tiff: 1 of 2 pages could not be read (pages 2;")


def test_a_batch_whose_pages_all_read_exits_zero(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.new("L", (600, 800), 255).save(src / "good.png", dpi=(100, 100))
    report = run_batch([src / "good.png"], tmp_path / "out", Settings(jobs=1, restore=False),
                       engine=HalfBrokenEngine())
    assert report.exit_code == 0 and report.incomplete == [] and report.notes == []
