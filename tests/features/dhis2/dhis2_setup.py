"""A DHIS2 set-up for tests: the ids, the report types with the population changes mapped, the
`dhis2:` section, the fake server's metadata and the bot's environment with the login."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.fakes.dhis2_api import FakeDhis2
from tests.support.harness import bot_environ, read_yaml

ROOT = Path(__file__).resolve().parents[3]
DATA_SET = "PopChgMonth"
DE_BIRTHS, DE_DEATHS = "DeSinh00001", "DeChet00001"
DE_MOVED_IN = "DeMovedIn01"  # mapped in config, unknown to the server: a conflict
UNIT_BAC_HONG_LINH, UNIT_HUONG_SON = "OuBacHL0001", "OuHuongSon1"  # communes 18115 and 18133
TOKEN = "d2pat_FakePersonalAccessToken0001"
_SHIPPED = read_yaml(ROOT / "config.yaml")


def report_types() -> list[dict[str, Any]]:
    """The shipped report types, the population changes mapped to DHIS2."""
    types = copy.deepcopy(_SHIPPED["report_types"])
    danso = next(t for t in types if t["code"] == "danso")
    danso["dhis2"] = {
        "data_set": DATA_SET,
        "fields": {
            "sinh": DE_BIRTHS,
            "chet": {"data_element": DE_DEATHS},
            "chuyen_den": DE_MOVED_IN,
        },
    }
    return types


def section(base_url: str, **more: Any) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "org_units": {"18115": UNIT_BAC_HONG_LINH, "18133": UNIT_HUONG_SON},
        **more,
    }


def extra(base_url: str, **more: Any) -> dict[str, Any]:
    """What write_config adds for DHIS2 (its `extra`)."""
    return {"report_types": report_types(), "dhis2": section(base_url, **more)}


def new_fake() -> FakeDhis2:
    return FakeDhis2(
        data_sets={DATA_SET},
        data_elements={DE_BIRTHS, DE_DEATHS},
        org_units={UNIT_BAC_HONG_LINH, UNIT_HUONG_SON},
        token=TOKEN,
    )


def environ(token: str = TOKEN) -> dict[str, str]:
    return {**bot_environ(), "DHIS2_API_TOKEN": token}
