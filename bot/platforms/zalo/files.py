"""Downloading a file a person sent to a Zalo bot: an HTTP GET of its URL, capped and timed."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import aiohttp

from bot.core.messages import Attachment
from bot.core.platform import BadRequest, RetryLater

log = logging.getLogger(__name__)

MAX_DOWNLOAD = 20 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60.0  # seconds for the whole transfer
_CHUNK = 64 * 1024
_TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})


async def fetch_attachment(
    attachment: Attachment,
    *,
    max_bytes: int = MAX_DOWNLOAD,
    timeout: float = DOWNLOAD_TIMEOUT,
    session: aiohttp.ClientSession | None = None,
) -> bytes:
    """The bytes behind `attachment.url`; BadRequest (no retry helps) or RetryLater on failure.

    Only the host is ever logged: file URLs may carry access keys in their query.
    """
    url = attachment.url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = f"zalo {attachment.kind or 'file'} has no http(s) URL to download"
        raise BadRequest(msg)
    host = parts.hostname
    own = session is None
    client = session or aiohttp.ClientSession()
    try:
        async with client.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            if resp.status in _TRANSIENT:
                msg = f"zalo file host {host} answered HTTP {resp.status}"
                raise RetryLater(msg, retry_after=5.0)
            if resp.status != 200:
                msg = f"zalo file host {host} answered HTTP {resp.status}"
                raise BadRequest(msg)
            if (resp.content_length or 0) > max_bytes:
                msg = f"zalo file is {resp.content_length} bytes, more than {max_bytes} allowed"
                raise BadRequest(msg)
            data = bytearray()
            # Counted while reading, since Content-Length may be absent or wrong.
            async for chunk in resp.content.iter_chunked(_CHUNK):
                data += chunk
                if len(data) > max_bytes:
                    msg = f"zalo file is more than {max_bytes} bytes"
                    raise BadRequest(msg)
    except TimeoutError:
        log.info("zalo download from %s timed out", host)
        raise RetryLater(f"zalo download from {host} timed out", retry_after=5.0) from None
    except aiohttp.ClientError as exc:
        # The exception text may hold the full URL: keep the class name only.
        log.info("zalo download from %s failed: %s", host, type(exc).__name__)
        msg = f"zalo download from {host} failed: {type(exc).__name__}"
        raise RetryLater(msg, retry_after=5.0) from None
    finally:
        if own:
            await client.close()
    log.debug("downloaded a zalo %s of %d bytes from %s", attachment.kind, len(data), host)
    return bytes(data)
