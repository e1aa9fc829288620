"""What tests do as people on the fake Telegram: set up chats, type, edit, press, add the bot."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from tests.fakes.flood import FloodLimiter
from tests.fakes.telegram_markup import auto_entities
from tests.fakes.telegram_model import (
    ANONYMOUS_ADMIN_ID,
    BotState,
    ChatState,
    FakeChat,
    FakeUser,
)
from tests.fakes.telegram_updates import UpdateMethods

ANONYMOUS_ADMIN = FakeUser(
    ANONYMOUS_ADMIN_ID, "Group", username="GroupAnonymousBot", language_code=None, is_bot=True
)
_SUPERGROUP_IDS = -1_000_000_000_000  # supergroup ids look like -100xxxxxxxxxx


class ChatActions(UpdateMethods):
    """Test-side actions: each one changes the fake's state and queues the real update(s)."""

    _limits: dict[str, int | None]

    def add_bot(
        self,
        token: str,
        *,
        username: str = "DansoBot",
        id: int | None = None,
        first_name: str = "Dân số",
        can_read_all_group_messages: bool = False,
    ) -> FakeUser:
        """Register a bot token; its account is returned (what getMe answers)."""
        user = FakeUser(
            id if id is not None else int(token.split(":", 1)[0]) if token.split(":")[0].isdigit()
            else 7_000_000_000 + len(self.bots),
            first_name, username=username, language_code=None, is_bot=True,
        )  # fmt: skip
        bot = BotState(
            token=token, user=user, can_read_all_group_messages=can_read_all_group_messages
        )
        bot.limiter = FloodLimiter(**self._limits)
        self.bots[token] = bot
        self.users[user.id] = user
        return user

    def limits(
        self,
        *,
        per_second_total: int | None = None,
        per_minute_per_group: int | None = None,
        per_second_per_chat: int | None = None,
    ) -> None:
        """Turn on Telegram's flood limits (None = off) for every bot, with fresh windows."""
        self._limits = {
            "per_second_total": per_second_total,
            "per_minute_per_chat": per_minute_per_group,
            "per_second_per_chat": per_second_per_chat,
        }
        for bot in self.bots.values():
            bot.limiter = FloodLimiter(**self._limits)

    def user(
        self,
        id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str | None = "vi",
    ) -> FakeUser:
        """Create (or replace) a person."""
        person = FakeUser(id, first_name, username=username, language_code=language_code)
        self.users[id] = person
        return person

    def private(self, user: FakeUser) -> FakeChat:
        """The private chat between `user` and a bot (its id is the user's id)."""
        state = self.chats.get(user.id)
        if state is None:
            state = ChatState(chat=FakeChat(user.id, "private", user=user))
            self.chats[user.id] = state
        return state.chat

    def group(
        self,
        id: int,
        title: str,
        *,
        admins: Iterable[FakeUser] = (),
        members: Iterable[FakeUser] = (),
        bot_is_admin: bool = False,
        bots: Iterable[str] | None = None,
    ) -> FakeChat:
        """A group with the given people; the first admin is its creator. By default every
        bot registered so far is in it (pass `bots=[tokens]` to choose)."""
        if id >= 0:
            msg = "Telegram group ids are negative"
            raise ValueError(msg)
        admin_ids = [a.id for a in admins]
        chat = FakeChat(id, "supergroup" if id <= _SUPERGROUP_IDS else "group", title=title)
        tokens = list(self.bots) if bots is None else list(bots)
        self.chats[id] = ChatState(
            chat=chat, creator=admin_ids[0] if admin_ids else None, admins=set(admin_ids),
            members=set(admin_ids) | {m.id for m in members},
            bots={self.bots[t].user.id for t in tokens}, bot_is_admin=bot_is_admin,
        )  # fmt: skip
        return chat

    def set_bot_admin(self, chat: FakeChat, is_admin: bool = True) -> None:
        """Promote or demote the bots in a group."""
        self.chats[chat.id].bot_is_admin = is_admin

    # --- people acting -------------------------------------------------------------------

    def type_as(
        self,
        user: FakeUser,
        chat: FakeChat,
        text: str = "",
        *,
        reply_to: int | None = None,
        photo: bool | bytes = False,
        document: tuple[str, bytes] | tuple[str, bytes, str] | None = None,
        caption: str | None = None,
        sender_chat: FakeChat | None = None,
        bot: str | None = None,
    ) -> dict[str, Any]:
        """`user` sends a message into `chat`; every bot that hears it gets an update."""
        state = self.chats[chat.id]
        listeners = self.listeners(chat, bot)
        if not chat.is_group:
            for b in listeners:
                b.started.add(user.id)
                b.blocked_by.discard(user.id)  # writing again means the user unblocked the bot
        if user.id not in self.users:
            self.users[user.id] = user
        if chat.is_group:
            state.members.add(user.id)
        fields = self._content(text, photo=photo, document=document, caption=caption)
        if sender_chat is not None:
            fields["sender_chat"] = sender_chat.json()
        owner = listeners[0] if listeners else self.default_bot(bot)
        if reply_to is not None:
            nested = self.reply_json(owner, chat, reply_to)
            if nested is None:
                msg = f"no message {reply_to} in chat {chat.id}"
                raise ValueError(msg)
            fields["reply_to_message"] = nested
        stored = self.new_message(owner, chat, user.json(), fields)
        message = stored.public()
        for b in listeners:
            if self.hears(b, state, message):
                self.queue(b, "message", message)
        return message

    def _content(
        self,
        text: str,
        *,
        photo: bool | bytes,
        document: tuple[str, bytes] | tuple[str, bytes, str] | None,
        caption: str | None,
    ) -> dict[str, Any]:
        if not photo and document is None:
            entities = auto_entities(text)
            return {"text": text, **({"entities": entities} if entities else {})}
        fields: dict[str, Any] = {}
        if photo:
            data = photo if isinstance(photo, bytes) else b"\xff\xd8fake-jpeg"
            f = self.store_file(data, name="photo.jpg", mime="image/jpeg", folder="photos")
            fields["photo"] = [
                {"file_id": f"{f.file_id}s", "file_unique_id": f"{f.unique_id}s", "width": 90,
                 "height": 67, "file_size": len(data) // 4},
                {"file_id": f.file_id, "file_unique_id": f.unique_id, "width": 1280,
                 "height": 960, "file_size": len(data)},
            ]  # fmt: skip
            self.files[f"{f.file_id}s"] = f
        if document is not None:
            name, data, *rest = document
            mime = rest[0] if rest else "application/octet-stream"
            f = self.store_file(data, name=name, mime=mime, folder="documents")
            fields["document"] = {
                "file_id": f.file_id, "file_unique_id": f.unique_id, "file_name": name,
                "mime_type": mime, "file_size": len(data),
            }  # fmt: skip
        text = caption if caption is not None else text
        if text:
            fields["caption"] = text
            entities = auto_entities(text)
            if entities:
                fields["caption_entities"] = entities
        return fields

    def anonymous_admin_types(self, chat: FakeChat, text: str, **kwargs: Any) -> dict[str, Any]:
        """An admin posting anonymously: from GroupAnonymousBot, sender_chat = the group."""
        return self.type_as(ANONYMOUS_ADMIN, chat, text, sender_chat=chat, **kwargs)

    def edit_as(self, user: FakeUser, chat: FakeChat, message_id: int, text: str, *,
                bot: str | None = None) -> dict[str, Any]:  # fmt: skip
        """`user` edits their own message; bots that hear it get an edited_message."""
        listeners = self.listeners(chat, bot)
        stored = self.message_of(listeners[0] if listeners else self.default_bot(bot), chat,
                                 message_id)  # fmt: skip
        if stored is None or stored.data["from"]["id"] != user.id:
            msg = f"{user.first_name} has no message {message_id} in chat {chat.id}"
            raise ValueError(msg)
        key = "text" if "text" in stored.data else "caption"
        stored.edits.append(stored.data.get(key, ""))
        stored.data[key] = text
        stored.data["edit_date"] = int(time.time())
        entities = auto_entities(text)
        stored.data.pop(f"{'entities' if key == 'text' else 'caption_entities'}", None)
        if entities:
            stored.data["entities" if key == "text" else "caption_entities"] = entities
        stored.touch()
        message = stored.public()
        for b in listeners:
            if self.hears(b, self.chats[chat.id], message):
                self.queue(b, "edited_message", message)
        return message

    def press(self, user: FakeUser, chat: FakeChat, message_id: int, data: str, *,
              strict: bool = True) -> dict[str, Any]:  # fmt: skip
        """`user` presses the inline button with `data` under the bot's message."""
        bot, stored = self._bot_message(chat, message_id)
        if strict and data not in {d for row in stored.view().buttons for _, d in row}:
            msg = f"message {message_id} has no button with data {data!r}"
            raise ValueError(msg)
        query_id = self.next_callback_id()
        self.callbacks[query_id] = (bot.token, chat.id, message_id)
        query = {
            "id": query_id, "from": user.json(), "message": stored.public(),
            "chat_instance": str(abs(chat.id) * 7 + bot.user.id), "data": data,
        }  # fmt: skip
        self.queue(bot, "callback_query", query)
        return query

    def _bot_message(self, chat: FakeChat, message_id: int) -> tuple[BotState, Any]:
        for bot in self.bots.values():
            stored = self.message_of(bot, chat, message_id)
            if stored is not None and stored.from_bot_id == bot.user.id:
                return bot, stored
        msg = f"no bot message {message_id} in chat {chat.id}"
        raise ValueError(msg)

    def poll_answer(self, user: FakeUser, poll_id: str, option_ids: list[int]) -> dict[str, Any]:
        """`user` votes in a non-anonymous poll the bot sent."""
        for conv in self.convs.values():
            for stored in conv.messages.values():
                if stored.data.get("poll", {}).get("id") == poll_id:
                    bot = next(b for b in self.bots.values() if b.user.id == stored.from_bot_id)
                    answer = {
                        "poll_id": poll_id, "user": user.json(), "option_ids": option_ids,
                        "option_persistent_ids": [f"{poll_id}-{i}" for i in option_ids],
                    }  # fmt: skip
                    self.queue(bot, "poll_answer", answer)
                    return answer
        msg = f"no poll {poll_id}"
        raise ValueError(msg)

    def _member_change(
        self, bot: BotState, chat: FakeChat, by: FakeUser, old: str, new: str
    ) -> None:
        self.queue(bot, "my_chat_member", {
            "chat": chat.json(), "from": by.json(), "date": int(time.time()),
            "old_chat_member": _member_json(bot, old), "new_chat_member": _member_json(bot, new),
        })  # fmt: skip

    def bot_added(self, chat: FakeChat, by_user: FakeUser, *, bot: str | None = None) -> None:
        """`by_user` adds the bot to a group (or, privately, unblocks it)."""
        b = self.default_bot(bot)
        state = self.chats[chat.id]
        if chat.is_group:
            state.bots.add(b.user.id)
            state.kicked.discard(b.user.id)
        else:
            b.started.add(chat.id)
            b.blocked_by.discard(chat.id)
        self._member_change(b, chat, by_user, "left" if chat.is_group else "kicked", "member")

    def bot_removed(self, chat: FakeChat, by_user: FakeUser, *, bot: str | None = None) -> None:
        """`by_user` removes the bot from a group (or, privately, blocks it)."""
        b = self.default_bot(bot)
        state = self.chats[chat.id]
        if chat.is_group:
            state.bots.discard(b.user.id)
            state.kicked.add(b.user.id)
        else:
            b.blocked_by.add(chat.id)
        self._member_change(b, chat, by_user, "member", "kicked")

    def block(self, chat: FakeChat, *, bot: str | None = None) -> None:
        """The user of a private chat blocks the bot."""
        if chat.user is None:
            msg = "only a private chat's user can block a bot"
            raise ValueError(msg)
        self.bot_removed(chat, chat.user, bot=bot)


def _member_json(bot: BotState, status: str) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": bot.user.json()}
    if status == "kicked":
        member["until_date"] = 0  # 0 = forever, and Telegram always sends the field
    return member
