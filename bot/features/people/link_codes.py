"""The /lienket code and the budgets that make guessing it hopeless.

A code is ten digits, shown as `482 719 3055`. Digits only, because collaborators type on
cheap phones with a Vietnamese keyboard: Telex turns a letter after a vowel into a tone mark
("as" → "á") and VNI does the same with digits after a vowel, so a code mixing letters and
digits is mangled as it is typed; ten digits come from one keyboard layer and survive both.
Spaces, dashes, dots, full-width digits and an O typed for 0 (I or l for 1) are forgiven.

The odds (README, "Security"). A typed code names the live codes that begin with its first
three digits (its prefix); a wrong code counts one try against each of them, and a code is
dead after TRIES_PER_CODE such tries. So however many accounts type, at most 3 guesses are
ever weighed against a code's other 7 digits:

    P(a code is guessed) <= 3 / 10**7 = 3e-7  < 1e-6

even for an attacker who knows the prefix. A blind attacker does far worse: the whole bot
weighs at most BOT_PER_HOUR = 20 wrong codes an hour (then it takes none for PAUSE and tells
the admins), each account and each person PER_DAY = 5 a day. 100 accounts on each platform
(1,000 tries a day on paper) still meet the bot's 20 an hour; a code living 10 minutes meets
at most those 20, each naming its prefix with chance 1e-3:

    P <= 20 * 1e-3 * 1e-7 = 2e-9   (over a whole day, the longest a code may live: 5e-8)
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta

DIGITS = 10
PREFIX = 3  # the digits that name a code among the live ones; the other 7 are its secret
TRIES_PER_CODE = 3  # wrong codes naming a code's prefix before it dies
PER_DAY = 5  # wrong codes per account and per person in any 24 hours
DAY = timedelta(hours=24)
BOT_PER_HOUR = 20  # wrong codes the whole bot takes in any hour before it pauses
HOUR = timedelta(hours=1)
PAUSE = timedelta(hours=1)  # how long no code is taken after that
UNDO_DAYS = 30  # how long the owner may undo a link (the record is kept that long)

_SEPARATORS = frozenset(" -._,/\t\u00a0\u200b")
_LOOKALIKES = {"o": "0", "O": "0", "i": "1", "I": "1", "l": "1", "L": "1"}


def new_code() -> str:
    """Ten random digits from the system's cryptographic source."""
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def shown(code: str) -> str:
    """How the bot writes a code: 482 719 3055."""
    return f"{code[:3]} {code[3:6]} {code[6:]}"


def read_code(text: str) -> str | None:
    """The ten digits a person typed, or None when it is not a code at all."""
    digits = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch in _SEPARATORS:
            continue
        ch = _LOOKALIKES.get(ch, ch)
        if not ("0" <= ch <= "9"):
            return None
        digits.append(ch)
    return "".join(digits) if len(digits) == DIGITS else None


def digest(code: str) -> str:
    """What is kept of a code: its SHA-256."""
    return hashlib.sha256(f"lienket:{code}".encode()).hexdigest()


def account_tag(key: str) -> str:
    """What the failure log keeps of an account key: enough to count, nothing to read."""
    return hashlib.sha256(f"account:{key}".encode()).hexdigest()[:16]
