"""Fake Bot API methods for updates (long poll, webhook delivery), members, menus and callbacks."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import aiohttp

from tests.fakes.telegram_methods import MessageMethods, canonical
from tests.fakes.telegram_model import ANONYMOUS_ADMIN_ID, ApiError, BotState, ChatState
from tests.fakes.telegram_world import ALL_UPDATE_TYPES, Params

log = logging.getLogger(__name__)

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_ADMIN_RIGHTS = dict.fromkeys(
    (
        "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
        "can_manage_video_chats", "can_restrict_members", "can_promote_members",
        "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
        "can_delete_stories", "can_pin_messages",
    ),
    False,
)  # fmt: skip


class UpdateMethods(MessageMethods):
    """getUpdates and webhooks, getMe, chat members, command menus, callback answers."""

    closing = False
    webhook_retry_delay = 0.05  # seconds between redelivery attempts after a non-2xx answer
    webhook_deliveries: list[tuple[int, int]]  # (update_id, HTTP status or 0 on network error)
    public_hosts: dict[str, str]  # public base URL → the loopback server it leads to

    async def api_getMe(self, bot: BotState, p: Params) -> Any:
        return {
            **bot.user.json(), "can_join_groups": True,
            "can_read_all_group_messages": bot.can_read_all_group_messages,
            "supports_inline_queries": False,
        }  # fmt: skip

    async def api_close(self, bot: BotState, p: Params) -> Any:
        return True

    async def api_logOut(self, bot: BotState, p: Params) -> Any:
        return True

    # --- updates -------------------------------------------------------------------------

    def _pending(self, bot: BotState) -> list[dict[str, Any]]:
        """Queued updates of the types the bot asked for; others are dropped, as Telegram does."""
        allowed = set(bot.allowed_updates or ALL_UPDATE_TYPES)
        bot.updates = [u for u in bot.updates if (u.keys() - {"update_id"}) & allowed]
        return bot.updates

    async def api_getUpdates(self, bot: BotState, p: Params) -> Any:
        if bot.webhook_url:
            raise ApiError(
                409, "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )  # fmt: skip
        if p.has("offset"):
            offset = p.int("offset")
            if offset < 0:
                bot.updates = bot.updates[offset:]
            else:
                bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        if p.has("allowed_updates"):
            bot.allowed_updates = list(p.json("allowed_updates") or [])
        limit = min(max(p.int("limit"), 1), 100) if p.has("limit") else 100
        timeout = max(float(p.str("timeout", "0") or 0), 0.0)
        # A newer getUpdates ends an older one with 409, like two bot instances on one token.
        bot.poll_generation += 1
        generation = bot.poll_generation
        bot.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            pending = self._pending(bot)
            remaining = deadline - loop.time()
            if pending or remaining <= 0 or self.closing:
                return pending[:limit]
            signal = bot.signal
            bot.polls_waiting += 1
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except TimeoutError:
                pass
            finally:
                bot.polls_waiting -= 1
            if bot.poll_generation != generation:
                raise ApiError(
                    409, "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )  # fmt: skip
            if bot.webhook_url:
                raise ApiError(409, "Conflict: terminated by setWebhook request")

    async def api_setWebhook(self, bot: BotState, p: Params) -> Any:
        url = p.str("url")
        if not url:
            return await self.api_deleteWebhook(bot, p)
        if not url.startswith(("http://", "https://")):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = p.str("secret_token")
        if secret and not _SECRET.match(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if p.bool("drop_pending_updates"):
            bot.updates.clear()
        if p.has("allowed_updates"):
            bot.allowed_updates = list(p.json("allowed_updates") or [])
        bot.webhook_url, bot.webhook_secret = url, secret
        bot.webhook_generation += 1
        bot.notify()
        self._start_sender(bot)
        return True

    async def api_deleteWebhook(self, bot: BotState, p: Params) -> Any:
        if p.bool("drop_pending_updates"):
            bot.updates.clear()
        bot.webhook_url, bot.webhook_secret = "", ""
        if bot.webhook_task is not None:
            bot.webhook_task.cancel()
            bot.webhook_task = None
        return True

    async def api_getWebhookInfo(self, bot: BotState, p: Params) -> Any:
        info: dict[str, Any] = {
            "url": bot.webhook_url, "has_custom_certificate": False,
            "pending_update_count": len(self._pending(bot)),
        }  # fmt: skip
        if bot.allowed_updates:
            info["allowed_updates"] = bot.allowed_updates
        if bot.last_error_date:
            info["last_error_date"] = bot.last_error_date
            info["last_error_message"] = bot.last_error_message
        return info

    def _start_sender(self, bot: BotState) -> None:
        if bot.webhook_task is None or bot.webhook_task.done():
            bot.webhook_task = asyncio.create_task(self._webhook_sender(bot))

    async def _webhook_sender(self, bot: BotState) -> None:
        """Background delivery: POST each queued update in order until the webhook goes away."""
        while bot.webhook_url and not self.closing:
            signal = bot.signal
            delivered, failed = await self.deliver_webhooks(bot)
            if failed:
                await asyncio.sleep(self.webhook_retry_delay)
            elif not delivered:
                await signal.wait()

    async def deliver_webhooks(self, bot: BotState | None = None) -> tuple[int, bool]:
        """POST the pending updates of one bot (default: the first) to its webhook, in order.

        Returns (how many were accepted, whether one failed); a failed update stays queued
        for redelivery, and the updates behind it wait, as with Telegram.
        """
        bot = bot or self.default_bot()
        # The background sender and a test's explicit call must not deliver an update twice.
        async with bot.webhook_lock:
            return await self._deliver(bot)

    async def _deliver(self, bot: BotState) -> tuple[int, bool]:
        delivered = 0
        secret = bot.webhook_secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with aiohttp.ClientSession() as session:
            while bot.webhook_url and self._pending(bot):
                update = bot.updates[0]
                try:
                    url = _routed(bot.webhook_url, self.public_hosts)
                    async with session.post(url, json=update, headers=headers) as resp:
                        status = resp.status
                    reason = resp.reason or ""
                except aiohttp.ClientError:
                    status, reason = 0, ""
                self.webhook_deliveries.append((update["update_id"], status))
                if not 200 <= status < 300:
                    # As Telegram words it in getWebhookInfo; the date stays after a recovery.
                    bot.last_error_date = int(time.time())
                    bot.last_error_message = (
                        f"Wrong response from the webhook: {status} {reason}".rstrip()
                        if status
                        else "Connection refused"
                    )
                    log.debug("webhook answered %s for update %s", status, update["update_id"])
                    return delivered, True
                if bot.updates and bot.updates[0] is update:
                    bot.updates.pop(0)
                delivered += 1
        return delivered, False

    # --- members -------------------------------------------------------------------------

    def _member(self, bot: BotState, state: ChatState, user_id: int) -> dict[str, Any]:
        if user_id == bot.user.id:
            user, status = bot.user, "administrator" if state.bot_is_admin else "member"
        elif user_id in self.users:
            user = self.users[user_id]
            if not state.chat.is_group:
                status = "member" if user_id == state.chat.id else "left"
            elif user_id == state.creator:
                status = "creator"
            elif user_id in state.admins:
                status = "administrator"
            elif user_id in state.members or user_id == ANONYMOUS_ADMIN_ID:
                status = "member"
            else:
                status = "left"
        else:
            raise ApiError(400, "Bad Request: user not found")
        member: dict[str, Any] = {"status": status, "user": user.json()}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(_ADMIN_RIGHTS, can_pin_messages=True, can_delete_messages=True)
        return member

    async def api_getChatMember(self, bot: BotState, p: Params) -> Any:
        state = self.chat_for_bot(bot, p.raw.get("chat_id"), sending=False)
        return self._member(bot, state, p.int("user_id"))

    async def api_getChatAdministrators(self, bot: BotState, p: Params) -> Any:
        state = self.chat_for_bot(bot, p.raw.get("chat_id"), sending=False)
        if not state.chat.is_group:
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        ids = ([state.creator] if state.creator else []) + sorted(state.admins - {state.creator})
        if state.bot_is_admin:
            ids.append(bot.user.id)
        return [self._member(bot, state, i) for i in ids]

    # --- menus and callbacks -------------------------------------------------------------

    async def api_setMyCommands(self, bot: BotState, p: Params) -> Any:
        commands = p.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for c in commands:
            if not _COMMAND.match(str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        key = (canonical(p.json("scope")), p.str("language_code"))
        bot.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def api_deleteMyCommands(self, bot: BotState, p: Params) -> Any:
        bot.commands.pop((canonical(p.json("scope")), p.str("language_code")), None)
        return True

    async def api_getMyCommands(self, bot: BotState, p: Params) -> Any:
        return bot.commands.get((canonical(p.json("scope")), p.str("language_code")), [])

    async def api_answerCallbackQuery(self, bot: BotState, p: Params) -> Any:
        query_id = p.str("callback_query_id")
        owner = self.callbacks.get(query_id)
        if owner is None or owner[0] != bot.token:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is "
                "invalid",
            )
        del self.callbacks[query_id]
        self.callback_answers.append({
            "id": query_id, "token": bot.token, "text": p.str("text"),
            "show_alert": p.bool("show_alert"), "chat_id": owner[1], "message_id": owner[2],
        })  # fmt: skip
        return True


def _routed(url: str, public_hosts: dict[str, str]) -> str:
    """Where a webhook POST goes: a URL under a public base in `public_hosts` (a proxy's name in
    production) to the loopback server it leads to; any other URL as it is."""
    for public, local in public_hosts.items():
        base = public.rstrip("/")
        if url == base or url.startswith(base + "/"):
            return local.rstrip("/") + url[len(base) :]
    return url
