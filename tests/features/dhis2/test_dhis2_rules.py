"""The DHIS2 rules one at a time: period ids both ways, which periods the daily job sends, what
the config check refuses (and where), and DHIS2's answers read, old and new."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.cli.check_config import check_config
from bot.config.dhis2 import Dhis2Section
from bot.config.loading import ConfigError, load_config
from bot.features.dhis2.client import Dhis2Client, Dhis2Error, _summary
from bot.features.dhis2.payload import dhis2_period, read_period
from bot.features.dhis2.service import open_periods
from bot.features.reports.types import ReportTypes
from bot.platforms.http_post import post
from tests.fakes.dhis2_api import FakeDhis2
from tests.features.dhis2 import dhis2_setup as setup
from tests.support.harness import write_config

URL = "https://dhis2.example.gov.vn"
_config = load_config(setup.ROOT / "config.yaml", environ={})
TYPES = ReportTypes.from_config(_config.report_types, default=_config.default_report_type)


@pytest.mark.parametrize(
    ("typed", "key", "dhis2"),
    [
        ("2026-11", "2026-11", "202611"),
        ("202611", "2026-11", "202611"),
        ("2026-W05", "2026-W05", "2026W5"),
        ("2026w45", "2026-W45", "2026W45"),
        ("2026-Q4", "2026-Q4", "2026Q4"),
        ("2026q1", "2026-Q1", "2026Q1"),
        ("2026-11-24", "2026-11-24", "20261124"),
        ("20261124", "2026-11-24", "20261124"),
    ],
)
def test_periods_read_either_way_and_go_out_as_dhis2_names_them(
    typed: str, key: str, dhis2: str
) -> None:
    """Our period keys and DHIS2's ids are read alike; DHIS2 gets its own (weeks unpadded)."""
    assert read_period(typed).key == key
    assert dhis2_period(key) == dhis2


@pytest.mark.parametrize(
    ("code", "today", "current", "expected"),
    [
        # Monthly, deadline 3 days, late reports 25 days more: October closes on 28 November.
        ("danso", date(2026, 11, 23), False, ["2026-10"]),
        ("danso", date(2026, 11, 29), False, ["2026-10"]),  # the day after closing: last time
        ("danso", date(2026, 11, 30), False, []),
        ("danso", date(2026, 12, 1), True, ["2026-11", "2026-12"]),
        # Daily, deadline 1 day, late 6 more: the week and a day before still change.
        ("tinhhinh", date(2026, 11, 24), False,
         [f"2026-11-{d}" for d in range(16, 24)]),
    ],
)  # fmt: skip
def test_the_daily_job_sends_the_ended_periods_that_still_change(
    code: str, today: date, current: bool, expected: list[str]
) -> None:
    rt = TYPES.get(code)
    assert rt is not None
    assert open_periods(rt, today, current=current) == expected


def _mapped(**changes: Any) -> dict[str, Any]:
    """setup.extra with `dhis2` keys changed, or `fields` of the population type replaced."""
    extra = setup.extra(URL)
    fields = changes.pop("fields", None)
    if fields is not None:
        extra["report_types"][0]["dhis2"]["fields"] = fields
    extra["dhis2"].update(changes)
    return extra


@pytest.mark.parametrize(
    ("extra", "path", "words"),
    [
        (_mapped(fields={"ghi_chu": setup.DE_BIRTHS}), "report_types[0].dhis2.fields.ghi_chu",
         "the type has no field 'ghi_chu'; its number fields: sinh, sinh_nam"),
        (_mapped(fields={"sinh": "births"}), "report_types[0].dhis2.fields.sinh.data_element",
         "'births' is not a DHIS2 data element id"),
        (_mapped(fields={"sinh": setup.DE_BIRTHS, "chet": setup.DE_BIRTHS}),
         "report_types[0].dhis2", "fields 'sinh' and 'chet' go to the same"),
        (_mapped(org_units={"99999": setup.UNIT_HUONG_SON}), "dhis2.org_units.99999",
         "no area has the code '99999'"),
        (_mapped(org_units={"18133": setup.UNIT_HUONG_SON, "18133-01": "OuSonNinh01"}),
         "dhis2.org_units.18133-01", "lies inside '18133', which is mapped too"),
        (_mapped(org_units={}), "dhis2.org_units", "map at least one area"),
        (_mapped(base_url="http://dhis2.example.gov.vn"), "dhis2.base_url",
         "must start with https://"),
        (_mapped(password="district"), "dhis2.password",
         "put it in the environment variable DHIS2_PASSWORD"),
        ({"report_types": setup.report_types()}, "dhis2",
         "a report type maps fields to DHIS2 but there is no `dhis2:` section"),
    ],
)  # fmt: skip
def test_the_config_check_says_what_is_wrong_where(
    tmp_path: Path, extra: dict[str, Any], path: str, words: str
) -> None:
    """Each mistake is refused at start and by check-config, at its key, saying what is valid."""
    config = write_config(tmp_path, admins=["telegram:1"], extra=extra)
    with pytest.raises(ConfigError) as refused:
        load_config(config, environ={})
    found = [p for p in refused.value.problems if p.path == path]
    assert found and words in found[0].message, refused.value.problems


def test_org_units_come_from_a_csv_beside_the_config(tmp_path: Path) -> None:
    """A CSV (header optional, a name column welcome) adds units; its bad rows are named by
    line; the login comes from the environment only."""
    extra = _mapped(org_units={"18115": setup.UNIT_BAC_HONG_LINH}, org_units_file="units.csv")
    config = write_config(tmp_path, admins=["telegram:1"], extra=extra)
    units = tmp_path / "units.csv"
    units.write_text(f"area_code,org_unit,name\n18133,{setup.UNIT_HUONG_SON},Xã Hương Sơn\n")
    loaded = load_config(config, environ={"DHIS2_API_TOKEN": setup.TOKEN})
    assert loaded.dhis2 is not None
    assert loaded.dhis2.org_units == {"18115": setup.UNIT_BAC_HONG_LINH,
                                      "18133": setup.UNIT_HUONG_SON}  # fmt: skip
    assert loaded.dhis2.api_token == SecretStr(setup.TOKEN)
    assert setup.TOKEN in loaded.secret_values()

    units.write_text(f"18133,{setup.UNIT_HUONG_SON}\n18133-01,OuSonNinh01\n42,not-an-id\n")
    with pytest.raises(ConfigError) as refused:
        load_config(config, environ={})
    assert [p.message.split(" (line")[0] for p in refused.value.problems] == [
        "units.csv line 3: 'not-an-id' is not an organisation unit id (e.g. DiszpKrYNg8)",
        "units.csv line 2: '18133-01' lies inside '18133', which is mapped too: DHIS2 adds "
        "values up its tree, so they would count twice; map one level only",
    ]


def test_an_import_summary_before_dhis2_2_38_is_read_too() -> None:
    """Older servers answer the summary bare, with counts as text."""
    summary = _summary({
        "responseType": "ImportSummary", "status": "SUCCESS",
        "importCount": {"imported": "2", "updated": "1", "ignored": "0", "deleted": "0"},
        "conflicts": [{"object": "Xyz", "value": "Period not valid"}],
    })  # fmt: skip
    assert summary is not None
    assert (summary.imported, summary.updated, summary.conflicts[0].value) == (
        2, 1, "Period not valid"
    )  # fmt: skip


@pytest.mark.virtual_time
async def test_an_address_that_is_not_dhis2s_web_api_is_said_so(fake_dhis2: FakeDhis2) -> None:
    """A wrong context path (the server answers, but not as DHIS2): check base_url."""
    section = Dhis2Section(base_url=fake_dhis2.base_url + "/dhis", org_units={},
                           api_token=SecretStr(setup.TOKEN))  # fmt: skip
    with pytest.raises(Dhis2Error) as refused:
        await Dhis2Client(section, post).send({"dataValues": []})
    assert refused.value.key == "dhis2.not_api"
    assert refused.value.params == {
        "status": 404,
        "url": f"{fake_dhis2.base_url}/dhis/api/dataValueSets",
    }


def test_check_config_says_where_the_numbers_go_and_what_login_is_missing(
    tmp_path: Path,
) -> None:
    """The report names the server, the mapped types, the units and when; a missing login is a
    note (the bot still runs), not a problem."""
    config = write_config(tmp_path, admins=["telegram:1"], extra=_mapped(daily_at="06:00"))
    code, report = check_config(str(config), environ={})
    assert code == 0, report
    lines = report.splitlines()
    assert f"  DHIS2 {URL}: types danso, 2 organisation unit(s), pushed daily at 06:00" in lines
    assert (
        "note: DHIS2 pushes need a login: set DHIS2_API_TOKEN (a personal access token), "
        "or DHIS2_USERNAME and DHIS2_PASSWORD"
    ) in lines
    _, report = check_config(str(config), environ={"DHIS2_API_TOKEN": setup.TOKEN})
    assert "DHIS2 pushes need a login" not in report
