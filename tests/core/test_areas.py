"""Tests for the area tree: lookups, subtrees, ancestry and forgiving search by name."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from bot.config.loading import load_config
from bot.core.areas import AreaTree, bare_name
from bot.core.models import Area
from bot.core.text import fold

ROOT = Path(__file__).resolve().parents[2]


def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_demo_config", ROOT / "tools" / "make_demo_config.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo() -> AreaTree:
    return AreaTree.from_config(load_config(ROOT / "config.yaml", environ={}).areas)


@pytest.fixture(scope="module")
def province() -> AreaTree:
    """Hà Tĩnh today: 69 communes and wards in health regions, with generated villages."""
    return AreaTree.from_config(tool().tree_2025_07())


@pytest.fixture(scope="module")
def districts() -> AreaTree:
    """Hà Tĩnh before the reform: 12 districts, 210 communes, about 2,400 villages."""
    return AreaTree.from_config(tool().tree_2025_03())


def codes(areas: list[Area]) -> list[str]:
    return [a.code for a in areas]


def test_records_carry_parent_and_path(demo: AreaTree) -> None:
    """Each area knows its parent and the codes from the root down to itself."""
    village = demo.get("18406-02")
    assert village == Area(
        "18406-02", "Thôn Nghèn 2", "village", "18406", ("42", "KV437", "18406", "18406-02")
    )
    assert demo.root.code == "42" and demo.root.parent == "" and demo.root.path == ("42",)
    assert demo.all()[0] == demo.root and len(demo) == len(demo.all())


def test_children_and_subtree(demo: AreaTree) -> None:
    """children() lists one level in file order; subtree() lists the whole branch, itself first."""
    assert codes(demo.children("KV437")) == ["18115", "18118", "18406", "18409"]
    branch = demo.subtree("18406")
    assert branch[0] == "18406" and branch[1:] == [f"18406-{k:02d}" for k in range(1, len(branch))]
    assert demo.subtree("18406-01") == ["18406-01"]
    assert len(demo.subtree("42")) == len(demo)


def test_contains_follows_ancestry(demo: AreaTree) -> None:
    """An area contains itself and everything below it, and nothing beside or above it."""
    assert demo.contains("42", "18409-03")
    assert demo.contains("18409", "18409-03")
    assert demo.contains("18409-03", "18409-03")
    assert not demo.contains("18406", "18409-03")
    assert not demo.contains("18409-03", "18409")
    assert not demo.contains("42", "nowhere")


def test_villages_under(demo: AreaTree) -> None:
    """villages_under() gives only villages, from a commune or from higher up."""
    assert {a.kind for a in demo.villages_under("42")} == {"village"}
    assert codes(demo.villages_under("18118")) == [a.code for a in demo.children("18118")]
    assert demo.villages_under("18118-01")[0].code == "18118-01"


def test_unknown_code_is_a_key_error(demo: AreaTree) -> None:
    """get() on an unknown code raises KeyError naming it."""
    with pytest.raises(KeyError, match="99999"):
        demo.get("99999")


def test_duplicate_codes_and_two_roots_are_refused() -> None:
    """A tree built by hand still needs unique codes and exactly one root."""
    with pytest.raises(ValueError, match="duplicate"):
        AreaTree(
            [Area("1", "A", "province", "", ("1",)), Area("1", "B", "commune", "1", ("1", "1"))]
        )
    with pytest.raises(ValueError, match="one root"):
        AreaTree([Area("1", "A", "province", "", ("1",)), Area("2", "B", "province", "", ("2",))])


def test_bare_name_drops_one_prefix_and_diacritics() -> None:
    """bare_name() folds diacritics and drops a leading kind word, longest first."""
    assert bare_name("Thôn Trung Lương 1") == "trung luong 1"
    assert bare_name("Tổ dân phố 3") == "3"
    assert bare_name("Phường Bắc Hồng Lĩnh") == "bac hong linh"
    assert bare_name("Xã") == "xa"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("18406-02", "18406-02"),  # a code
        ("thon nghen 2", "18406-02"),  # no diacritics
        ("Nghèn 2", "18406-02"),  # without "Thôn"
        ("xom nghen 2", "18406-02"),  # with another kind word than the real one
        ("NAM HONG LINH", "18118"),  # case, and without "Phường"
        ("phuong bac hong linh", "18115"),
        ("Thon Ngen 2", "18406-02"),  # a typo
        ("tan loc 5", "18409-05"),
    ],
)
def test_find_on_the_demo(demo: AreaTree, query: str, first: str) -> None:
    """find() puts the intended area first for codes, plain text, prefixes and typos."""
    found = demo.find(query)
    assert found and found[0].code == first, codes(found)


def test_find_ranks_exact_before_prefix(demo: AreaTree) -> None:
    """An exact name comes before names that merely start the same way."""
    found = codes(demo.find("Tổ dân phố 1"))
    assert found[:2] == ["18115-01", "18118-01"]  # both wards have a "Tổ dân phố 1", file order
    assert "18115-10" in found and found.index("18115-10") > 1


def test_find_by_words_inside_a_name(demo: AreaTree) -> None:
    """A word in the middle of a name matches: "hong linh" finds the region and both wards."""
    assert set(codes(demo.find("hong linh"))) >= {"KV437", "18115", "18118"}


def test_find_nothing(demo: AreaTree) -> None:
    """Empty text or text like nothing in the tree finds nothing."""
    assert demo.find("   ") == []
    assert demo.find("zzzz qqqq") == []


def test_find_limit(demo: AreaTree) -> None:
    """limit cuts the ranked list."""
    assert len(demo.find("to dan pho", limit=3)) == 3


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("18133", "18133"),
        ("xa huong son", "18133"),
        ("Phuc Trach", "18547"),
        ("Phúc Trạc", "18547"),  # a typo
        ("phuong song tri", "18754"),
        ("Xã Kỳ Anh", "18775"),
        ("TTYT khu vuc Hong Linh", "KV437"),
    ],
)
def test_find_in_the_whole_province(province: AreaTree, query: str, first: str) -> None:
    """On all 69 communes, plain-text and misspelt names still find the intended area first."""
    found = province.find(query)
    assert found and found[0].code == first, [(a.code, a.name) for a in found[:5]]


def test_a_name_shared_by_a_region_and_a_commune_lists_both(province: AreaTree) -> None:
    """Without a kind word, "huong khe" is the region and the commune alike: both come first."""
    found = codes(province.find("huong khe"))
    assert set(found[:2]) == {"KV444", "18496"}


def test_every_village_of_the_province_is_found_by_its_plain_name(province: AreaTree) -> None:
    """Typing any village's name without diacritics lists that village among the exact matches."""
    for village in province.villages_under(province.root.code):
        found = province.find(fold(village.name))
        same = [a.code for a in found if a.name == village.name]
        assert village.code in same


def test_the_district_shape_works_too(districts: AreaTree) -> None:
    """Before the reform: a commune sits under a district, which contains its villages."""
    commune = districts.get("18115")
    assert districts.get(commune.parent).kind == "district"
    assert all(
        districts.contains(commune.parent, v.code) for v in districts.villages_under("18115")
    )
    assert districts.find("thi xa hong linh")[0].code == "437"
    assert len(districts.villages_under("42")) > 2000
