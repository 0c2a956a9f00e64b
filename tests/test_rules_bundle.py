"""The extract rules bundle (extract.rules.load_rules) holds every rule table of extract/data/,
the unit registry with it, read from the folder it is given; code takes it as an argument."""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import yaml

from kehoach.extract.rules import DATA, load_rules
from kehoach.extract.units import UnitRegistry, level_of_issuer
from kehoach.extract.units_identity import Jurisdiction, UnitForms

ROOT = Path(__file__).resolve().parents[1]


def test_the_unit_registry_and_its_forms_come_with_the_rules():
    rules = load_rules()
    assert isinstance(rules.units, UnitRegistry) and isinstance(rules.units.forms, UnitForms)
    assert rules.units.resolve("UBND xã").name == "Ủy ban nhân dân xã"
    assert level_of_issuer("Ủy ban nhân dân xã Chợ Đồn", rules.units) == "xã"
    assert Jurisdiction.from_issuer("Ủy ban nhân dân tỉnh Sơn La", rules.units.forms) == Jurisdiction("tỉnh", "Sơn La")


def test_the_registry_is_read_from_the_folder_the_rules_come_from(tmp_path):
    """A rules folder whose units.yaml lacks a unit gives a registry that does not know it."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    data = yaml.safe_load((folder / "units.yaml").read_text(encoding="utf-8"))
    gone = "Sở Khoa học và Công nghệ"
    assert any(u["name"] == gone for u in data["units"])
    data["units"] = [u for u in data["units"] if u["name"] != gone]
    (folder / "units.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_rules().units.resolve(gone).known
    assert not load_rules(folder).units.is_exact_name(gone)


def test_only_the_stage_and_the_review_site_load_the_rules():
    """Readers, parsers and the review forms take the bundle; the stage (extract.run) and the
    review site (one bundle per site) load it; no module loads a unit table of its own."""
    loads, unit_loads = set(), set()
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("tests", "scripts", "build", "samples") or rel.parts[0].startswith("."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if isinstance(f, ast.Name) and f.id == "load_rules":
                loads.add(str(rel))
            if (isinstance(f, ast.Attribute) and f.attr == "load" and isinstance(f.value, ast.Name)
                    and f.value.id in ("UnitRegistry", "UnitForms")):
                unit_loads.add(str(rel))
    assert loads == {"extract/__init__.py", "outputs/review.py"}, loads
    assert not unit_loads, unit_loads
