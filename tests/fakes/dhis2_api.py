"""A fake DHIS2 Web API on loopback: POST /api/dataValueSets answered with DHIS2's own JSON
(2.38+: the import summary inside a web message, 409 when it has conflicts), its metadata
(data sets, data elements, category option combos, organisation units) set by the test, a
login (a personal access token or a user), and the values it stored and the requests it took.

What it enforces, as DHIS2 does: 401 without a valid login; 415 unless the body is JSON; an
unknown data set refuses the whole set (E7600, status ERROR); an unknown data element (E7610),
organisation unit (E7612) or category option combo (E7613), a bad period (E7611) or a value
that is not a whole number (E7619) refuses that value only (status WARNING, `ignored`), one
conflict per id and reason listing the values' indexes. A zero where zeros are not kept is
ignored, or deletes the value stored before."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import LoopbackServer

DEFAULT_COMBO = "HllvX50cXC0"  # DHIS2's default category option combo
_PERIOD = re.compile(r"\d{4}(\d{2}|\d{4}|W\d{1,2}|Q[1-4])")
Key = tuple[str, str, str, str]  # data element, period, org unit, category option combo


@dataclass(frozen=True)
class Received:
    """One POST the fake took: the login it carried and the JSON body (None if unreadable)."""

    authorization: str
    body: Any
    status: int


@dataclass
class FakeDhis2:
    """The server's metadata and data; `start()` serves it on 127.0.0.1."""

    data_sets: set[str] = field(default_factory=set)
    data_elements: set[str] = field(default_factory=set)
    org_units: set[str] = field(default_factory=set)
    combos: set[str] = field(default_factory=lambda: {DEFAULT_COMBO})
    zero_significant: set[str] = field(default_factory=set)  # data elements that keep zeros
    token: str = ""  # a personal access token that logs in
    user: tuple[str, str] | None = None  # (username, password) that logs in
    values: dict[Key, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        app = web.Application()
        app.router.add_post("/api/dataValueSets", self._post)
        self._server = LoopbackServer(app)

    @property
    def base_url(self) -> str:
        return self._server.base_url

    async def start(self) -> str:
        return await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()

    def value(
        self, element: str, period: str, unit: str, combo: str = DEFAULT_COMBO
    ) -> str | None:
        return self.values.get((element, period, unit, combo))

    # --- the Web API ------------------------------------------------------------------------

    def _logged_in(self, header: str) -> bool:
        kind, _, credentials = header.partition(" ")
        if kind == "ApiToken":
            return bool(self.token) and credentials == self.token
        if kind == "Basic" and self.user is not None:
            try:
                pair = base64.b64decode(credentials).decode("utf-8")
            except ValueError:
                return False
            return pair == f"{self.user[0]}:{self.user[1]}"
        return False

    async def _post(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not self._logged_in(header):
            return self._answer(header, body, _message(401, "Unauthorized", "ERROR"))
        if request.content_type != "application/json":
            msg = f"Content type '{request.content_type}' not supported"
            return self._answer(header, body, _message(415, msg, "ERROR"))
        if not isinstance(body, dict):
            return self._answer(header, body, _message(400, "Invalid JSON payload", "ERROR"))
        return self._answer(header, body, self._import(body))

    def _answer(self, header: str, body: Any, message: dict[str, Any]) -> web.Response:
        status = message["httpStatusCode"]
        self.received.append(Received(header, body, status))
        return web.json_response(message, status=status)

    def _import(self, body: dict[str, Any]) -> dict[str, Any]:
        counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
        conflicts: list[dict[str, Any]] = []
        values = body.get("dataValues") or []
        data_set = body.get("dataSet")
        if data_set is not None and data_set not in self.data_sets:
            conflict = _conflict(
                data_set, "dataSet", "E7600", "Data set not found or not accessible"
            )
            counts["ignored"] = len(values)
            return _summary("ERROR", counts, [conflict])
        for index, dv in enumerate(values):
            found = self._check(dv, body)
            if found is not None:
                # As DHIS2 2.38+: one conflict per object and reason, with every value's index.
                same = [c for c in conflicts if c["object"] == found["object"]
                        and c["errorCode"] == found["errorCode"]]  # fmt: skip
                if same:
                    same[0]["indexes"].append(index)
                else:
                    conflicts.append({**found, "indexes": [index]})
                counts["ignored"] += 1
                continue
            key = (
                dv["dataElement"],
                dv.get("period") or body.get("period"),
                dv.get("orgUnit") or body.get("orgUnit"),
                dv.get("categoryOptionCombo") or DEFAULT_COMBO,
            )
            value = str(dv.get("value", "")).strip()
            zero = value in ("", "0") and dv["dataElement"] not in self.zero_significant
            if key in self.values:
                if zero:
                    del self.values[key]
                    counts["deleted"] += 1
                else:
                    self.values[key] = value
                    counts["updated"] += 1
            elif zero:
                counts["ignored"] += 1
            else:
                self.values[key] = value
                counts["imported"] += 1
        return _summary("WARNING" if conflicts else "SUCCESS", counts, conflicts)

    def _check(self, dv: dict[str, Any], body: dict[str, Any]) -> dict[str, Any] | None:
        element, unit = dv.get("dataElement", ""), dv.get("orgUnit") or body.get("orgUnit", "")
        period = dv.get("period") or body.get("period", "")
        combo = dv.get("categoryOptionCombo") or DEFAULT_COMBO
        if element not in self.data_elements:
            return _conflict(
                element, "dataElement", "E7610", "Data element not found or not accessible"
            )
        if not _PERIOD.fullmatch(str(period)):
            return _conflict(period, "period", "E7611", "Period not valid")
        if unit not in self.org_units:
            return _conflict(
                unit, "orgUnit", "E7612", "Organisation unit not found or not accessible"
            )
        if combo not in self.combos:
            what = "Category option combo not found or not accessible for writing data"
            return _conflict(combo, "categoryOptionCombo", "E7613", what)
        if not str(dv.get("value", "")).strip().isdigit():
            return _conflict(
                str(dv.get("value")), "value", "E7619", "Value must be zero or a positive integer"
            )
        return None


def _conflict(obj: str, prop: str, code: str, text: str) -> dict[str, Any]:
    return {"object": obj, "objects": {prop: obj}, "value": f"{text}: `{obj}`",
            "errorCode": code, "property": prop}  # fmt: skip


def _message(status: int, text: str, state: str) -> dict[str, Any]:
    names = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 409: "Conflict",
             415: "Unsupported Media Type"}  # fmt: skip
    return {"httpStatus": names[status], "httpStatusCode": status, "status": state,
            "message": text}  # fmt: skip


def _summary(
    status: str, counts: dict[str, int], conflicts: list[dict[str, Any]]
) -> dict[str, Any]:
    if status == "ERROR":
        message = _message(409, "An error occurred, please check import summary.", "ERROR")
    elif conflicts:
        message = _message(409, "One more conflicts encountered, please check import summary.",
                           "WARNING")  # fmt: skip
    else:
        message = _message(200, "Import was successful.", "OK")
    message["response"] = {
        "responseType": "ImportSummary", "status": status,
        "description": "Import process completed successfully", "importCount": counts,
        "conflicts": conflicts,
        "rejectedIndexes": [i for c in conflicts for i in c.get("indexes", [])],
        "dataSetComplete": "false",
    }  # fmt: skip
    return message
