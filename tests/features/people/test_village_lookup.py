"""What a newcomer types after /dangky, read against the shipped demo tree (four wards and
communes, 46 villages, "Tổ dân phố 1…11" in two wards); and the pages of a long choice."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.core.areas import AreaTree
from bot.features.people.registration.registration_choices import RegistrationChoices, answer_kind
from bot.features.people.registration.village_lookup import example, lookup
from tests.support.harness import read_yaml


@cache
def _demo() -> AreaTree:
    config = read_yaml(Path(__file__).resolve().parents[3] / "config.yaml")
    return AreaTree.from_config(config["areas"])


def _t(key: str, /, **params: Any) -> str:
    return f"<{key}>"


@pytest.mark.parametrize(
    ("typed", "village"),
    [
        ("Tổ dân phố 4 Bắc Hồng Lĩnh", "18115-04"),
        ("Tổ dân phố 4, Bắc Hồng Lĩnh", "18115-04"),
        ("to dan pho 4, bac hong linh", "18115-04"),
        ("TO DAN PHO 4 BAC HONG LINH", "18115-04"),
        ("tdp 4 bac hong linh", "18115-04"),
        ("Bắc Hồng Lĩnh, Tổ dân phố 4", "18115-04"),
        ("Phường Bắc Hồng Lĩnh Tổ dân phố 4", "18115-04"),
        ("to dan pho 4 phuong nam hong linh", "18118-04"),
        ("Tổ dân phố 11, Nam Hồng Lĩnh.", "18118-11"),
        ("Thôn Nghèn 3", "18406-03"),
        ("nghen 3 can loc", "18406-03"),
        ("18409-07", "18409-07"),
        ("xom hong loc 2", "18409-07"),
        ("Xóm Tân Lộc 5, Xã Hồng Lộc", "18409-05"),
    ],
)
def test_one_village_is_read_from_one_line(typed: str, village: str) -> None:
    """The village alone, or with its commune, comma or not, any case and diacritics."""
    found = lookup(_demo(), typed)
    assert found.village is not None and found.village.code == village


@pytest.mark.parametrize(
    ("typed", "communes", "matches"),
    [
        ("to dan pho 4", ["18115", "18118"], {"18115": ("18115-04",), "18118": ("18118-04",)}),
        ("Tổ dân phố 1", ["18115", "18118"], {"18115": ("18115-01",), "18118": ("18118-01",)}),
        ("tdp 10", ["18115", "18118"], {"18115": ("18115-10",), "18118": ("18118-10",)}),
        ("4, hong linh", ["18115", "18118"], {"18115": ("18115-04",), "18118": ("18118-04",)}),
    ],
)
def test_a_name_several_communes_share_asks_the_commune(
    typed: str, communes: list[str], matches: dict[str, tuple[str, ...]]
) -> None:
    """Never a flat list of same-named villages: the communes that have one, first."""
    found = lookup(_demo(), typed)
    assert found.village is None and found.commune is None
    assert [c.code for c in found.communes] == communes and found.matches == matches


@pytest.mark.parametrize(
    ("typed", "commune", "villages", "missing"),
    [
        ("nghen", "18406", ["18406-01", "18406-02", "18406-03", "18406-04"], ""),
        ("Bắc Hồng Lĩnh", "18115", [], ""),
        ("Hồng Lộc", "18409", [], ""),  # the commune, not its «Xóm Hồng Lộc 1…5»
        ("Tổ dân phố 99, Bắc Hồng Lĩnh", "18115", [], "Tổ dân phố 99"),
        # Only close spellings: offered, never guessed.
        ("Thôn Nghèn 33", "18406", ["18406-03", "18406-04", "18406-02", "18406-01"], ""),
    ],
)
def test_villages_of_one_commune_are_offered(
    typed: str, commune: str, villages: list[str], missing: str
) -> None:
    """Several villages of one commune (or all of it, or one that only looks alike) to pick."""
    found = lookup(_demo(), typed)
    assert found.village is None and found.commune is not None
    assert found.commune.code == commune
    assert [v.code for v in found.villages] == villages and found.missing == missing


def test_nothing_matches_and_the_example_is_the_tree_s_own() -> None:
    """An unknown name gives nothing to guess from; the example names a real village."""
    assert lookup(_demo(), "Thôn Trung Lương 1") == lookup(_demo(), "xyz")
    assert not lookup(_demo(), "xyz").communes and lookup(_demo(), "xyz").commune is None
    assert example(_demo()) == "Tổ dân phố 1, Phường Bắc Hồng Lĩnh"


def test_a_long_village_list_comes_in_pages_with_a_typed_next() -> None:
    """Fourteen wards' villages: 1–10, then 11–14; numbers go on across pages; «tiep» and
    the button ask the next page, «0» goes back."""
    choices = RegistrationChoices(_demo())
    first = choices.villages(_t, _demo().get("18118"))
    assert first.text.splitlines()[1:3] == ["1. Tổ dân phố 1", "2. Tổ dân phố 2"]
    assert "10. Tổ dân phố 10" in first.text and "11." not in first.text
    labels = [[(b.label, b.data, b.typed) for b in row] for row in first.buttons]
    assert labels[0][0] == ("1", "rg:18118-01", "")
    assert labels[-2:] == [[("<register.more_button>", "rg:+", "tiep")],
                           [("<register.back_button>", "rg:-", "0")]]  # fmt: skip
    second = choices.render(_t, {**first.data, "page": 1})
    assert second.text.splitlines()[1:5] == [
        "11. Tổ dân phố 11", "12. Tổ dân phố 12", "13. Tổ dân phố 13", "14. Tổ dân phố 14",
    ]  # fmt: skip
    assert all(b.data != "rg:+" for row in second.buttons for b in row)
    assert [answer_kind(w) for w in ("tiep", "Tiếp", "xem them", "0", "quay lại", "3")] == [
        "more", "more", "more", "back", "back", "",
    ]  # fmt: skip
