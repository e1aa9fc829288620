"""Download routes `/f/{token}` and `/f/{token}/{name}`: verify the signed link, serve the file."""

from __future__ import annotations

import html
import logging
import unicodedata
from collections.abc import Callable
from urllib.parse import quote

from aiohttp import web

from bot.delivery.file_store import FileStore
from bot.delivery.link_signing import LinkExpired, LinkInvalid, LinkSigner

log = logging.getLogger(__name__)

# Only raster images are shown in the browser: an uploaded SVG or HTML file served inline from
# our own origin could run script there, so everything else is a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# The token is in the URL: no page of ours may leak it to another site or a shared cache.
_PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<body style="font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em">
<h1>{title}</h1><p>{text}</p></body></html>"""

EXPIRED_TITLE = "Liên kết đã hết hạn"
EXPIRED_TEXT = "Liên kết tải tệp này đã hết hạn. Vui lòng nhắn cho bot để nhận liên kết mới."
REFUSED_TITLE = "Không mở được liên kết"
REFUSED_TEXT = (
    "Liên kết này không hợp lệ hoặc tệp không còn nữa. Vui lòng nhắn cho bot để nhận liên kết mới."
)
FAILED_TITLE = "Có lỗi xảy ra"
FAILED_TEXT = "Máy chủ gặp lỗi khi gửi tệp. Vui lòng thử lại sau hoặc nhắn cho bot."


def _page(status: int, title: str, text: str) -> web.Response:
    body = _PAGE.format(title=html.escape(title), text=html.escape(text))
    return web.Response(
        status=status, text=body, content_type="text/html", charset="utf-8",
        headers=_PRIVATE_HEADERS,
    )  # fmt: skip


def ascii_fallback(name: str) -> str:
    """The name without diacritics for old clients: `Báo cáo đợt 1.pdf` → `Bao cao dot 1.pdf`."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    safe = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in plain)
    return safe.strip() or "file"


def content_disposition(name: str, mime: str) -> str:
    """`inline` for plain images, else `attachment`; RFC 6266 with an RFC 5987 `filename*`."""
    kind = "inline" if mime in INLINE_TYPES else "attachment"
    return f"{kind}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


Routes = list[web.RouteDef]
Revoked = Callable[[int], bool]  # person id → their links no longer work (erased)
Served = Callable[[str, int], None]  # (file id, person id) of a download, for the access log


def file_routes(
    files: FileStore,
    signer: LinkSigner,
    *,
    revoked: Revoked | None = None,
    served: Served | None = None,
) -> Routes:
    """GET (and HEAD) routes for signed download links, to mount on the shared web server."""

    async def download(request: web.Request) -> web.StreamResponse:
        try:
            return await _serve(request, files, signer, revoked, served)
        except web.HTTPException:
            raise
        except Exception:
            # Never a traceback to the phone; the log has it (the token is not in it).
            log.exception("serving a file link failed")
            return _page(500, FAILED_TITLE, FAILED_TEXT)

    return [web.get("/f/{token}", download), web.get("/f/{token}/{name}", download)]


async def _serve(
    request: web.Request,
    files: FileStore,
    signer: LinkSigner,
    revoked: Revoked | None,
    served: Served | None,
) -> web.StreamResponse:
    token = request.match_info["token"]
    try:
        link = signer.verify(token)
    except LinkExpired as exc:
        _access(exc.link.file_id, exc.link.person, "expired")
        return _page(410, EXPIRED_TITLE, EXPIRED_TEXT)
    except LinkInvalid as exc:
        _access("-", "-", f"refused ({exc})")
        return _page(403, REFUSED_TITLE, REFUSED_TEXT)
    if revoked is not None and revoked(link.person):
        _access(link.file_id, link.person, "refused (person erased)")
        return _page(410, EXPIRED_TITLE, EXPIRED_TEXT)
    stored = files.get(link.file_id)
    if stored is None:
        _access(link.file_id, link.person, "refused (no such file)")
        return _page(403, REFUSED_TITLE, REFUSED_TEXT)
    if link.for_platform:
        # The platform (Zalo fetching a sendPhoto URL) takes the file to deliver it: the person
        # has not opened anything, so no access-log entry is theirs.
        _access(link.file_id, link.person, "fetched by the platform")
    else:
        _access(link.file_id, link.person, "served" if request.method == "GET" else "checked")
    if served is not None and request.method == "GET" and not link.for_platform:
        served(link.file_id, link.person)
    headers = {
        **_PRIVATE_HEADERS,
        "Content-Type": stored.mime,
        "Content-Disposition": content_disposition(stored.name, stored.mime),
    }
    # FileResponse streams from disk and answers Range and conditional requests by itself.
    return web.FileResponse(stored.path, headers=headers)


def _access(file_id: str, person: object, outcome: str) -> None:
    log.info("file link: file=%s person=%s outcome=%s", file_id, person, outcome)
