"""The JSON each event is sent as (schema 1, described in docs/webhooks.md).

Personal data stays inside: people appear as pseudonyms (bot/core/pseudonyms.py), never with a
name, phone or platform account; free text people typed (a report's text fields, an officer's
reason) only for an endpoint with `free_text: true`; no photo, no chat.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from bot.core.areas import AreaTree
from bot.core.events import REPORT_RETURNED, AckEvent, ReportEvent
from bot.core.models import Report
from bot.core.pseudonyms import Pseudonyms
from bot.features.reports.types import ReportTypes

SCHEMA = 1
EVENT_DATE = "ngay"  # where a report of an event keeps the day it happened (values["ngay"])


class Payloads:
    """Builds an event's body once per variant (with or without free text)."""

    def __init__(
        self, *, areas: AreaTree, types: ReportTypes | None, pseudonyms: Pseudonyms, tz: tzinfo
    ) -> None:
        self.areas = areas
        self.types = types
        self.pseudonyms = pseudonyms
        self.tz = tz

    def body(self, event: ReportEvent | AckEvent, event_id: str, *, free_text: bool) -> str:
        """The exact text sent: compact JSON, UTF-8 as is (Vietnamese stays readable)."""
        doc = (
            self.report_event(event, event_id, free_text=free_text)
            if isinstance(event, ReportEvent)
            else self.ack_event(event, event_id)
        )
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))

    def report_event(
        self, event: ReportEvent, event_id: str, *, free_text: bool
    ) -> dict[str, Any]:
        doc = self._head(event_id, event.type, event.at)
        doc["report"] = self.report(event.report, free_text=free_text)
        doc["actor"] = self.pseudonyms.person(event.actor)
        if event.type == REPORT_RETURNED:
            doc["reason"] = event.reason if free_text else None
        return doc

    def ack_event(self, event: AckEvent, event_id: str) -> dict[str, Any]:
        doc = self._head(event_id, event.type, event.ack.at)
        directive = event.directive
        doc["directive"] = {
            "id": directive.id,
            "created_at": self._time(directive.created_at),
            "deadline": self._time(directive.deadline) if directive.deadline else None,
            "targets": list(directive.targets),
        }
        doc["acknowledgement"] = {
            "person": self.pseudonyms.person(event.ack.person_id),
            "area": self.area(event.area),
            "at": self._time(event.ack.at),
            "via": event.ack.via,
        }
        return doc

    def report(self, report: Report, *, free_text: bool) -> dict[str, Any]:
        values = dict(report.values)
        event_date = values.pop(EVENT_DATE, None)
        return {
            "id": report.id,
            "number": report.number,
            "type": report.type,
            "period": report.period,
            "version": report.version,
            "late": report.late,
            "retracted": report.retracted,
            "received_at": self._time(report.received_at),
            "event_date": event_date,
            "platform": report.platform,
            "area": self.area(report.area, report.area_name),
            "values": {
                k: v for k, v in values.items() if free_text or not self._text(report, k, v)
            },
            "reporter": self.pseudonyms.person(report.reporter),
        }

    def area(self, code: str, name: str = "") -> dict[str, Any]:
        """The area with its path from the root: each level's code, name and kind."""
        if code not in self.areas:  # gone from the tree since (a merge): as it was written
            return {"code": code, "name": name, "kind": "", "path": []}
        area = self.areas.get(code)
        path = [self.areas.get(c) for c in area.path]
        return {
            "code": area.code,
            "name": area.name,
            "kind": area.kind,
            "path": [{"code": a.code, "name": a.name, "kind": a.kind} for a in path],
        }

    def _text(self, report: Report, code: str, value: Any) -> bool:
        """Whether a value is free text someone typed (a text field, or unknown text)."""
        rt = self.types.get(report.type) if self.types is not None else None
        if rt is not None:
            try:
                return rt.field(code).kind == "text"
            except KeyError:
                pass
        return isinstance(value, str)

    def _head(self, event_id: str, type_: str, at: datetime) -> dict[str, Any]:
        return {"id": event_id, "type": type_, "occurred_at": self._time(at), "schema": SCHEMA}

    def _time(self, at: datetime) -> str:
        return at.astimezone(self.tz).isoformat()
