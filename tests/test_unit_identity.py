"""Units as identities: kind, level, place (printed or the plan's), collective; lists split by
grammar; debris kept out of the units. Inputs are phrasings of the kind plans print."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from kehoach.extract.items import cell_to_units
from kehoach.extract.rules import load_rules
from kehoach.extract.units import UnitRegistry, level_of_issuer
from kehoach.extract.units_identity import Jurisdiction

REG = load_rules().units
FORMS = REG.forms
COMMUNE = Jurisdiction.from_issuer("Ủy ban nhân dân xã Yên Lạc", FORMS)
PROVINCE = Jurisdiction.from_issuer("Ủy ban nhân dân tỉnh Hà Tĩnh", FORMS)
DEPARTMENT = Jurisdiction.from_issuer("Sở Y tế tỉnh Cao Bằng", FORMS)
ROOT = Path(__file__).resolve().parent.parent


def read(cell: str, where: Jurisdiction | None = None):
    return REG.read(cell, REG.level_in(cell) or (where.level if where else None), where)


def test_issuer_gives_the_plan_its_level_and_place():
    assert COMMUNE == Jurisdiction("xã", "Yên Lạc")
    assert PROVINCE == Jurisdiction("tỉnh", "Hà Tĩnh")
    assert DEPARTMENT == Jurisdiction("tỉnh", "Cao Bằng")
    assert Jurisdiction.from_issuer("Ban Thường vụ Đảng ủy phường Tân Định", FORMS) == Jurisdiction("xã", "Tân Định")
    assert Jurisdiction.from_issuer("Ủy ban nhân dân xã", FORMS) == Jurisdiction("xã", None)


@pytest.mark.parametrize("printed, kind, place", [
    ("Viễn thông Lạng Sơn", "doanh nghiệp", "Lạng Sơn"),
    ("Viettel Hà Tĩnh", "doanh nghiệp", "Hà Tĩnh"),
    ("VNPT Cà Mau", "doanh nghiệp", "Cà Mau"),
    ("Thuế tỉnh Lâm Đồng", "Thuế", "Lâm Đồng"),
    ("Công an tỉnh Điện Biên", "Công an", "Điện Biên"),
])
def test_a_printed_place_is_kept_in_the_name(printed, kind, place):
    [u], debris = read(printed, COMMUNE)
    assert (u.name, u.known, u.kind, u.level, u.place, u.inferred) == (printed, True, kind, "tỉnh", place, [])
    assert debris == []


def test_a_name_relative_to_a_commune_plan_is_that_communes():
    units, _ = read("UBND xã; Công an xã; Phòng Văn hóa - Xã hội", COMMUNE)
    assert [(u.name, u.level, u.place, u.inferred) for u in units] == [
        ("Ủy ban nhân dân xã", "xã", "Yên Lạc", ["place"]),
        ("Công an xã", "xã", "Yên Lạc", ["place"]),
        ("Phòng Văn hóa - Xã hội", "xã", "Yên Lạc", ["level", "place"]),
    ]


def test_a_province_body_in_a_commune_plan_gets_no_commune_place():
    [u], _ = read("Sở Tài chính", COMMUNE)
    assert (u.kind, u.level, u.place) == ("Sở", "tỉnh", None)
    [u], _ = read("Sở Tài chính", DEPARTMENT)
    assert (u.level, u.place, u.inferred) == ("tỉnh", "Cao Bằng", ["place"])


def test_bodies_of_every_commune_are_collective_and_placeless():
    units, _ = read("UBND cấp xã, UBND các xã, phường", PROVINCE)
    assert [(u.name, u.collective, u.level, u.place) for u in units] == [
        ("UBND cấp xã", True, "xã", None), ("UBND xã, phường", True, "xã", None)]


def test_and_separates_two_collectives_a_comma_inside_one_does_not():
    units, debris = read("Các Sở, ban, ngành và các cơ quan, đơn vị liên quan", PROVINCE)
    assert [(u.name, u.collective) for u in units] == [
        ("Các sở, ban, ngành", True), ("Các cơ quan, đơn vị liên quan", True)]
    assert debris == []


@pytest.mark.parametrize("cell", ["Các trường học", "Những hộ gia đình"])
def test_a_collective_prefix_of_units_yaml_makes_a_collective(cell):
    # no kind rule says these are collective: the leading word does (units.yaml collective_prefixes)
    [u], _ = read(cell, PROVINCE)
    assert u.collective and not (FORMS.kind_rule(u.name) and FORMS.kind_rule(u.name)[0].collective)
    assert FORMS.describe(u, PROVINCE, collective_prefixes=(), level_markers=()).collective is False


def test_a_comma_inside_an_abbreviated_name_does_not_split_it():
    [u], _ = read("Trung tâm XTĐT, TM&DL tỉnh", PROVINCE)
    assert (u.name, u.known, u.place) == ("Trung tâm Xúc tiến đầu tư, Thương mại và Du lịch tỉnh", True, "Hà Tĩnh")


@pytest.mark.parametrize("printed, name", [
    ("BQL Khu kinh tế tỉnh", "Ban Quản lý Khu kinh tế tỉnh"),
    ("BQL các KCN tỉnh", "Ban Quản lý các Khu công nghiệp tỉnh"),
    ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Thuế tính", "Thuế tỉnh"),   # a level word's marks misread: a form word repaired
])
def test_abbreviations_and_damaged_form_words_read_as_the_registry_names(printed, name):
    [u], _ = read(printed, PROVINCE)
    assert (u.name, u.known) == (name, True)


@pytest.mark.parametrize("cell, units, debris", [
    ("Phòng Kinh tế, 15/10/2025", ["Phòng Kinh tế"], ["15/10/2025"]),
    ("thuộc UBND xã Q7 €1", [], ["thuộc UBND xã Q7 €1"]),
    ("Xã hội", [], ["Xã hội"]),
    ("PVC Phòng Kinh tế", ["Phòng Kinh tế"], ["PVC"]),
    ("Công an tỉnh Sở Tư pháp trong", ["Công an tỉnh", "Sở Tư pháp"], ["trong"]),
])
def test_debris_is_no_unit(cell, units, debris):
    got, junk = read(cell, COMMUNE)
    assert [u.name for u in got] == units
    assert junk == debris


def test_debris_becomes_an_item_warning_not_a_unit():
    units, warnings = cell_to_units("Trạm Y tế xã; 30/11/2025", REG, "xã", "cooperating", COMMUNE)
    assert [u.name for u in units] == ["Trạm Y tế xã"]
    assert "cooperating text that is no unit: '30/11/2025'" in warnings


def test_place_words_of_the_hoi_chi_minh_youth_union_are_no_place():
    [u], _ = read("Đoàn Thanh niên Cộng sản Hồ Chí Minh xã", COMMUNE)
    assert u.name == "Đoàn Thanh niên xã" and u.place == "Yên Lạc"


def test_unit_forms_reject_unknown_fields(tmp_path):
    from pydantic import ValidationError

    from kehoach.extract.units_identity import FormsData

    with pytest.raises(ValidationError):
        FormsData.model_validate({"kinds": [{"kind": "Sở", "starts": ["Sở"], "colour": "red"}],
                                  "levels": {}, "place_prefixes": {}})


def _measure():
    spec = importlib.util.spec_from_file_location("measure_units", ROOT / "scripts" / "measure_units.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("plan", ["commune-by-unit", "commune-prose", "commune-next-year", "dept-table"])
def test_no_printed_identifying_word_is_dropped_nor_debris_kept(plan):
    # every unit mention of the plan: each capitalised word of the print that is no registry
    # word (a place, a proper name) is in the name; no mention is debris
    import json

    from kehoach.pipeline.runner import process_file
    from kehoach.core.settings import Settings

    here = ROOT / "tests" / "fixtures" / "unseen"
    if plan == "dept-table":
        import sys
        sys.path.insert(0, str(here))
        from build_table_plan import build  # type: ignore

        path = build(Path(__import__("tempfile").mkdtemp()) / "dept-table.pdf")
    else:
        path = here / f"{plan}.txt"
    rec = json.loads(process_file(path, Settings(restore=False)).model_dump_json(exclude={"pages"}))
    m = _measure()
    mentions = list(m._mentions(rec))
    assert mentions
    for _, u in mentions:
        assert m.dropped_words(u["raw"], u["name"], REG.vocabulary) == [], u
        assert not m.is_debris(u["name"]), u
        assert u["kind"] is not None or not u["known"], u


def test_a_department_plans_own_bodies_keep_their_head_word():
    # "Sở" at the end names the issuing department: never dropped as a speck for "Thanh tra tỉnh"
    [u], _ = read("Thanh tra Sở", DEPARTMENT)
    assert (u.name, u.level, u.place, u.inferred) == ("Thanh tra Sở", "tỉnh", "Cao Bằng", ["level", "place"])


def test_military_command_abbreviated():
    [u], _ = read("Ban CHQS xã", COMMUNE)
    assert (u.name, u.kind, u.place) == ("Ban Chỉ huy Quân sự xã", "Quân sự", "Yên Lạc")


def test_another_columns_words_end_the_name():
    # a cell OCR mixed with the task's text: the unit before the task's words, the words warned
    units, debris = read("Sở Tư pháp để rà soát các văn bản", PROVINCE)
    assert [u.name for u in units] == ["Sở Tư pháp"]
    assert debris == ["để rà soát các văn bản"]


@pytest.mark.parametrize("printed, name", [
    ("Côngantỉnh", "Công an tỉnh"),              # OCR lost the spaces: the registry's words
    ("Công antinh", "Công an tỉnh"),             # ... and a level word's marks
    ("SởNộivụ", "Sở Nội vụ"),
    ("Các .sở, ban, ngành", "Các sở, ban, ngành"),
])
def test_ocr_word_breaks_are_repaired(printed, name):
    [u], debris = read(printed, PROVINCE)
    assert (u.name, u.known, debris) == (name, True, [])


def test_word_breaks_of_an_unknown_name_are_repaired_its_letters_kept():
    assert REG.unglued("Các doanh nghiệp cung cấp dịch-vụ") == "Các doanh nghiệp cung cấp dịch vụ"
    assert REG.unglued("đơn.vị thuộc UBND xã") == "đơn vị thuộc UBND xã"
    assert REG.unglued("Phòng VH-XH") == "Phòng VH-XH"  # a dash between capitals is printed so


# Old OCR text reads a unit cell together with the words of the columns beside it: the print
# holds known names one after another with a date, a number or another column's words
# between them. Each name is a unit (its own words as raw), the rest the item's warnings.
@pytest.mark.parametrize("cell, where, names, debris", [
    ("Sở Công Thương 2026", PROVINCE, ["Sở Công Thương"], ["2026"]),
    ("Sở Công Thương Sở Xây dựng 8", PROVINCE, ["Sở Công Thương", "Sở Xây dựng"], ["8"]),
    ("Sở Khoa học và Công nghệ Tháng năm 20 6", PROVINCE, ["Sở Khoa học và Công nghệ"], ["Tháng năm 20 6"]),
    ("Phòng Kinh tế Đoàn Thanh niên xã. Biên bản kiểm tra Tháng 3", COMMUNE,
     ["Phòng Kinh tế", "Đoàn Thanh niên xã"], ["Biên bản kiểm tra Tháng 3"]),
])
def test_units_interleaved_with_other_columns_are_read_apart(cell, where, names, debris):
    units, junk = read(cell, where)
    assert [u.name for u in units] == names
    assert junk == debris
    assert all(u.known and u.raw in cell for u in units)


# ... but a known name inside a longer print is never cut out of it: the print is one unit
# the registry does not know, kept whole with its place or its own words.
@pytest.mark.parametrize("cell, where", [
    ("Sở Y tế Hà Nội", PROVINCE),                          # a place after the name
    ("Văn phòng Sở Công Thương", PROVINCE),                 # a kind's words before it
    ("Các doanh nghiệp cung cấp dịch vụ viễn thông", PROVINCE),  # lower-case words after it
    ("Thanh tra Sở", DEPARTMENT),                           # a head word after it
])
def test_a_known_name_inside_a_longer_unit_is_not_cut_out(cell, where):
    units, junk = read(cell, where)
    assert [u.raw for u in units] == [cell] and junk == []


def test_a_name_cut_after_its_conjunction_is_the_one_name_it_begins():
    [u], _ = read("Đài Phát thanh và", PROVINCE)
    assert (u.name, u.raw, u.known) == ("Đài Phát thanh và Truyền hình tỉnh", "Đài Phát thanh và", True)
    assert "conjunction" in u.match
    # two registry names begin "Sở Nông nghiệp và ...": not guessed
    [u], _ = read("Sở Nông nghiệp và", PROVINCE)
    assert not u.known and u.name == "Sở Nông nghiệp và"


def test_a_short_word_with_one_letter_added_is_an_ocr_repair_not_a_proper_name():
    [u], _ = read("Sở Văn hóa, Thể thao và Dur lịch", PROVINCE)
    assert (u.name, u.raw) == ("Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Dur lịch")
    assert u.match and u.match.startswith("fuzzy")


def test_the_plans_level_tells_apart_the_names_a_cut_print_begins():
    # the commune's and the ward's office both begin "Văn phòng HĐND và ...": the plan's level decides
    ward = Jurisdiction.from_issuer("Ủy ban nhân dân phường Quang Trung", FORMS)
    assert [u.name for u in read("Văn phòng HĐND&", COMMUNE)[0]] == ["Văn phòng HĐND và UBND xã"]
    # (items read a plan's cells at its issuer's level word, level_of_issuer: "phường")
    level = level_of_issuer("Ủy ban nhân dân phường Quang Trung", REG)
    assert [u.name for u in REG.read("Văn phòng HĐND và", level, ward)[0]] == ["Văn phòng HĐND và UBND phường"]


def test_a_heading_or_task_text_in_a_unit_cell_is_no_unit():
    # old OCR of a flattened table puts a section heading into the cooperating column
    units, debris = read("Phát triển nguồn nhân lực", COMMUNE)
    assert units == [] and debris == ["Phát triển nguồn nhân lực"]
    # a name of a kind that starts with such words is still a unit
    [u], _ = read("Ban Quản lý dự án Đầu tư xây dựng", PROVINCE)
    assert u.name == "Ban Quản lý dự án Đầu tư xây dựng" and u.kind == "Ban"


def test_a_cell_that_lost_its_separators_reads_every_unit_it_holds():
    # a speck, a name whose first letter OCR misread, a collective name, a list word without
    # its comma: each name a unit with a kind, the speck a warning
    units, debris = read("5 Poan TNCS Hồ Chí Minh tỉnh UBND xã, phường đơn vị liên quan", PROVINCE)
    assert [u.name for u in units] == ["Đoàn TNCS Hồ Chí Minh tỉnh", "UBND xã, phường", "Các đơn vị liên quan"]
    assert all(u.kind for u in units) and debris == ["5"]


def test_every_unit_of_the_old_ocr_samples_has_a_kind_and_a_level():
    from kehoach.core.settings import Settings
    from kehoach.pipeline.runner import process_file

    for path in sorted((ROOT / "samples").glob("*.ocr.txt")):
        doc = process_file(path, Settings(restore=True))
        units = [u for it in [*doc.tasks, *doc.targets] for u in [*it.lead_units, *it.cooperating_units]]
        assert units, path.name
        assert [u.raw for u in units if u.kind is None or u.level is None] == [], path.name


@pytest.mark.parametrize("cell, names", [
    # a number, a symbol no name prints, or a second name shows the cell mixes columns: the
    # lower-case words after a name are the next column's, not the rest of the name
    ("Sở Công Thương 2026 liên quan phù hợp điều kiện thực tế", ["Sở Công Thương"]),
    ("SỞ Tài chính Năm 2026 liên quan cho người dân Số Xây dựng’ trv@ng", ["Sở Tài chính", "Sở Xây dựng"]),
    ("Đoàn Thanh niên xã} kế hoạch tuyên truyền", ["Đoàn Thanh niên xã"]),
])
def test_names_among_another_columns_words_and_symbols(cell, names):
    units, debris = read(cell, PROVINCE if "Sở" in cell or "SỞ" in cell else COMMUNE)
    assert [u.name for u in units] == names and debris


def test_a_level_word_after_a_known_name_stays_with_it():
    # "Đoàn TNCS Hồ Chí Minh" known, "tỉnh" is its level: never cut off as another column's word
    units, _ = read("Đoàn TNCS Hồ Chí Minh tỉnh 2026", PROVINCE)
    assert all(u.name.endswith("tỉnh") for u in units if u.name.startswith("Đoàn"))


def test_a_head_word_one_letter_off_is_a_misread_head_not_a_proper_name():
    [u], _ = read("Se Khoa học và Công nghệ", PROVINCE)
    assert (u.name, u.raw, u.known) == ("Sở Khoa học và Công nghệ", "Se Khoa học và Công nghệ", True)
    # a first word that is no head word's misreading stays a proper name: no match
    [u], _ = read("Viettel Hà Tĩnh", PROVINCE)
    assert u.name == "Viettel Hà Tĩnh"


@pytest.mark.parametrize("cell", ["hội", "tổ dân HDPND và thanh niên thàng tả 37", "trung tâm Phục vụ án phòng"])
def test_a_cell_starting_with_a_lower_case_kind_word_is_a_fragment(cell):
    # the tail of another phrase whose head OCR lost: kept as the item's warning, no unit row
    units, debris = read(cell, COMMUNE)
    assert units == [] and debris == [cell]


@pytest.mark.parametrize("cell", ["phòng, ban, ngành", "các sở, ban, ngành", "đơn vị liên quan"])
def test_lower_case_collectives_and_listed_kinds_stay_units(cell):
    [u], debris = read(cell, PROVINCE)
    assert debris == [] and u.collective or u.kind


def _registry_without(*names: str) -> UnitRegistry:
    data = REG.data.model_copy(update={"units": [u for u in REG.data.units if u.name not in names]})
    return UnitRegistry.from_data(data, FORMS)


def test_an_office_of_two_bodies_the_registry_lacks_stays_one_unit():
    # a ward's office the registry does not list: never cut at its "và" into two bodies, never
    # completed as the commune's office (another level's name)
    reg = _registry_without("Văn phòng HĐND và UBND phường")
    units, _ = reg.read("Văn phòng HĐND và UBND phường", "phường")
    assert [(u.name, u.known) for u in units] == [("Văn phòng HĐND và UBND phường", False)]
    [u], _ = reg.read("Văn phòng HĐND và", "phường")
    assert not u.known


def test_a_continuation_broken_by_an_ocr_mark_still_continues():
    for cell in ("Các phòng, đơn vị. thuộc UBND xã", "Các phòng, đơn vị thuộc. UBND xã"):
        assert [u.name for u in read(cell, COMMUNE)[0]] == ["Các phòng, đơn vị thuộc UBND xã"]


def test_a_full_stop_after_a_name_ends_it():
    units, debris = read("Sở Tài chính. cần thiết", PROVINCE)
    assert [u.name for u in units] == ["Sở Tài chính"] and debris == ["cần thiết"]
