"""One POST to another system's Web API (DHIS2) over aiohttp: the status and the body, or a
ConnectionError saying why there was no answer. The caller reads the answer; redirects are
not followed (a login page is no answer)."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

MAX_REASON = 200


async def post(
    url: str, body: bytes, headers: Mapping[str, str], timeout: float
) -> tuple[int, bytes]:
    """POST `body` to `url`; (status, body). The URL carries no secret (the login travels in
    a header), so the reason may name the host."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http:
            async with http.post(
                url, data=body, headers=dict(headers), allow_redirects=False
            ) as resp:
                return resp.status, await resp.read()
    except TimeoutError:
        msg = f"no answer within {timeout:g} s"
        raise ConnectionError(msg) from None
    except aiohttp.ClientError as exc:
        msg = (str(exc) or type(exc).__name__)[:MAX_REASON]
        raise ConnectionError(msg) from None
