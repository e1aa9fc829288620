"""Pages of a list: `limit` items after the `cursor` the previous page gave, and a link to the
next. A cursor holds the sort key of the last item sent (keyset paging), so an item added or
removed between two requests neither repeats nor pushes another one out of the list."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from bot.web.api.errors import bad
from bot.web.api.models import PageInfo

T = TypeVar("T")
Key = tuple[Any, ...]  # ints and strings, compared as tuples
_MAX_CURSOR = 1000  # characters: no key of ours is longer


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    after: Key | None


def page_request(query: dict[str, str], *, default: int, most: int) -> PageRequest:
    """`limit` (1..most, default `default`) and `cursor` from the query."""
    text = query.get("limit")
    if text is None:
        limit = default
    elif not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= most:
        raise bad("limit", f"limit is a whole number from 1 to {most}")
    else:
        limit = int(text)
    cursor = query.get("cursor")
    return PageRequest(limit, None if cursor is None else decode(cursor))


def encode(key: Key) -> str:
    raw = json.dumps(list(key), ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> Key:
    """The key a cursor of ours holds; 400 for anything else."""
    try:
        if len(cursor) > _MAX_CURSOR:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
        if not isinstance(key, list) or not all(
            isinstance(k, str) or (isinstance(k, int) and not isinstance(k, bool)) for k in key
        ):
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad(
            "cursor", "this cursor is not one the API gave; start again without it"
        ) from None
    return tuple(key)


def paginate(
    items: Sequence[T], key: Callable[[T], Key], request: PageRequest
) -> tuple[list[T], Key | None]:
    """The page's items (sorted by `key`) and the key to continue after, or None at the end."""
    ordered = sorted(items, key=key)
    if request.after is not None:
        after = request.after
        try:
            ordered = [item for item in ordered if key(item) > after]
        except TypeError:  # a cursor of another list: its key does not compare with these
            raise bad("cursor", "this cursor belongs to another list") from None
    chosen = ordered[: request.limit]
    more = len(ordered) > request.limit
    return chosen, (key(chosen[-1]) if more and chosen else None)


def page_info(
    request: web.Request, page: PageRequest, after: Key | None, base: str | None
) -> PageInfo:
    """The page's limit, the cursor of the next one and its address (absolute when the bot's
    public address is configured, else a path on this server)."""
    if after is None:
        return PageInfo(limit=page.limit, next_cursor=None, next=None)
    cursor = encode(after)
    query = [(k, v) for k, v in request.query.items() if k != "cursor"]
    query.append(("cursor", cursor))
    link = f"{base or ''}{request.path}?{urlencode(query)}"
    return PageInfo(limit=page.limit, next_cursor=cursor, next=link)
