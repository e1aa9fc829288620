"""Officers teach the watch from an alert, in one step each, audited: "không phải tin đồn" keeps
the message's shape as an exception of that clarification (the same wording around any of its
claims is no sighting again; kept as folded words, not the message), "thêm câu này" adds the
message's claim as a new phrase. A sighting whose text the retention purge blanked teaches
nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core.errors import Forbidden, NotFound, UserError
from bot.core.text import fold
from bot.features.clarifications.reading import read
from bot.features.clarifications.rumour_match import Shape, usable
from bot.features.clarifications.text import MAX_PHRASE, MAX_PHRASES, excerpt
from bot.features.clarifications.watch import NOT_RUMOUR, PHRASE

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.areas import AreaTree
    from bot.core.clock import Clock
    from bot.core.models import Clarification, Role, RumourSighting
    from bot.features.audit.log import AuditLog
    from bot.features.clarifications.watch import RumourWatch
    from bot.store.base import Store

MAX_EXCEPTIONS = 50  # per clarification; the oldest goes first


@dataclass(frozen=True, slots=True)
class Taught:
    clarification: int
    new: bool  # False: this step was already taken for that message
    phrase: str = ""


class Teaching:
    def __init__(
        self, *, store: Store, areas: AreaTree, clock: Clock, audit: AuditLog, watch: RumourWatch,
        keepers: tuple[Role, ...],
    ) -> None:  # fmt: skip
        self.store = store
        self.areas = areas
        self.clock = clock
        self.audit = audit
        self.watch = watch
        self.keepers = keepers

    def not_rumour(self, actor: Actor, number: int) -> Taught:
        """Sighting `number` was no rumour: its message becomes an exception of its
        clarification, and the sighting no longer counts."""
        s, c = self._taught_by(actor, number)
        if s.taught == NOT_RUMOUR:
            return Taught(c.id, new=False)
        shape = Shape.of(c.id, s.text, self.watch.registered(c).rumours).stored()
        exceptions = (*(e for e in c.exceptions if e != shape), shape)
        c = replace(c, exceptions=exceptions[-MAX_EXCEPTIONS:])
        with self.store.atomic():
            self.store.clarifications.save(c)
            self.store.sightings.save(replace(s, taught=NOT_RUMOUR))
            self.audit.by(
                actor, "clarification.not_rumour", target=f"clarification:{c.id}",
                detail={"sighting": s.id, "exceptions": len(c.exceptions)},
            )  # fmt: skip
        return Taught(c.id, new=True)

    def add_phrase(self, actor: Actor, number: int) -> Taught:
        """The claim of sighting `number`, in its writer's words, becomes a phrase of its
        clarification (what the watch found, widened to its sentence if that is too short)."""
        s, c = self._taught_by(actor, number)
        phrase = self.phrase_of(s, c)
        if any(fold(p) == fold(phrase) for p in c.phrases):
            return Taught(c.id, new=False, phrase=phrase)
        if len(c.phrases) >= MAX_PHRASES:
            raise UserError("clarify.too_many", limit=MAX_PHRASES)
        c = replace(c, phrases=(*c.phrases, phrase), updated_at=self.clock.now())
        with self.store.atomic():
            self.store.clarifications.save(c)
            self.store.sightings.save(replace(s, taught=PHRASE))
            self.audit.by(
                actor, "clarification.phrase_add", target=f"clarification:{c.id}",
                detail={"sighting": s.id, "phrases": len(c.phrases)},
            )  # fmt: skip
        return Taught(c.id, new=True, phrase=phrase)

    def phrase_of(self, s: RumourSighting, c: Clarification) -> str:
        text = s.text
        words = read(text)
        found = self.watch.match(text, s.area) if words.words else None
        candidates = []
        if found is not None and found.key == c.id:
            first, last = found.first, found.last
            candidates.append(words.text_of(text, first, last))
            sentence = [i for i, n in enumerate(words.sentence) if n == words.sentence[first]]
            candidates.append(words.text_of(text, sentence[0], sentence[-1]))
        candidates.append(text)
        for candidate in candidates:
            phrase = " ".join(candidate.split()).strip(" .,!?\"'«»“”")
            if usable(phrase):
                return excerpt(phrase, MAX_PHRASE)
        raise UserError("clarify.phrase_short", phrase=excerpt(text, 60))

    def _taught_by(self, actor: Actor, number: int) -> tuple[RumourSighting, Clarification]:
        s = self.store.sightings.get(number)
        c = self.store.clarifications.get(s.clarification) if s is not None else None
        if s is None or c is None:
            raise NotFound("clarify.sighting_not_found", number=number)
        if not s.text:
            raise UserError("clarify.sighting_purged", number=number)
        # The officers the alert went to (over the group), or those who keep the clarification.
        if not any(actor.covers(self.areas, a, self.keepers) for a in (s.area, c.area)):
            raise Forbidden("clarify.sighting_not_yours", number=number)
        return s, c
