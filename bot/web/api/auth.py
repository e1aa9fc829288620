"""Who is asking: a client from config found by its bearer token, its scopes and its areas."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web

from bot.config.api import ApiClient
from bot.core.areas import AreaTree
from bot.web.api.errors import ApiError, bad


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated client: what it may read, and where."""

    name: str
    scopes: frozenset[str]
    limit: tuple[str, ...]  # area codes it may read (with their subtrees); empty: everything

    @property
    def names(self) -> bool:
        return "people:names" in self.scopes

    @property
    def text(self) -> bool:
        return "text:read" in self.scopes

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            msg = f"this token does not have the scope {scope}; ask the bot's admin for it"
            raise ApiError(403, "missing_scope", msg)

    def sees(self, areas: AreaTree, code: str) -> bool:
        """Whether `code` lies inside the client's limit."""
        return not self.limit or any(areas.contains(top, code) for top in self.limit)

    def roots(self, areas: AreaTree) -> list[str]:
        """The tops of what the client may read, in tree order."""
        return list(self.limit) if self.limit else [areas.root.code]

    def area(self, areas: AreaTree, code: str | None, *, one: bool = False) -> list[str]:
        """The areas a request covers: the one it names (checked), else everything the
        client may read; `one` asks for a single area (an error names the choices)."""
        if code is None:
            roots = self.roots(areas)
            if one and len(roots) > 1:
                raise bad("area", f"name one area: this token reads {', '.join(roots)}")
            return roots
        if code not in areas:
            raise bad("area", f"no area has the code {code!r}; the tree is at /api/v1/areas")
        if not self.sees(areas, code):
            msg = f"this token may read only {', '.join(self.limit)} and what lies below"
            raise ApiError(403, "area_not_allowed", msg, parameter="area")
        return [code]


class Clients:
    """The clients that have a token; a token is found in constant time, whichever it is."""

    def __init__(self, clients: Iterable[ApiClient]) -> None:
        self._known = [
            (_digest(c.token.get_secret_value()), c) for c in clients if c.token is not None
        ]

    def __len__(self) -> int:
        return len(self._known)

    def caller(self, request: web.Request) -> Caller:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            msg = "send the token as the header Authorization: Bearer <token>"
            raise ApiError(401, "unauthorized", msg)
        presented = _digest(token.strip())
        found: ApiClient | None = None
        for digest, client in self._known:
            # Every client is compared (digests of equal length), so the time says nothing.
            if hmac.compare_digest(presented, digest) and found is None:
                found = client
        if found is None:
            raise ApiError(401, "invalid_token", "this token is not valid")
        return Caller(found.name, frozenset(found.scopes), found.areas)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
