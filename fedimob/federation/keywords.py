"""Reading what people write to a campaign: "join 2h", "je participe", "leave"...

A pure function of the text, in French and English, so that a reply typed
on any server (Mastodon, Misskey, Pleroma...) can join or withdraw.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum

_TAGS = re.compile(r"<[^>]*>")
_MENTION = re.compile(r"@[\w.-]+(?:@[\w.:-]+)?")
JOIN_WORDS = re.compile(
    r"\b(join|i'?m in|count me in|je participe|j'en suis|je m'inscris|participer)\b", re.IGNORECASE
)
LEAVE_WORDS = re.compile(
    r"\b(leave|withdraw|count me out|je me retire|je me désiste|je ne participe plus)\b",
    re.IGNORECASE,
)
_PLEDGE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.,]\d{1,2})?)\s*(h|hours?|heures?|hrs?)(?:\s*(\d{1,2}))?(?!\w)"
    r"|(?<![\w.,])(\d{1,4})\s*(min|minutes?|mn)(?!\w)",
    re.IGNORECASE,
)
MAX_TEXT = 5000


DONE_WORDS = re.compile(r"\b(done|did|finished|fait|j'ai fait|j'ai donné|terminé)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,9}(?:[.,]\d{1,2})?)(?![\w.,])")


class Intent(StrEnum):
    JOIN = "join"
    LEAVE = "leave"
    REPORT = "report"


@dataclass(frozen=True, slots=True)
class Request:
    intent: Intent
    minutes: int | None = None
    impact: str | None = None  # a decimal number as written, for the impact unit


def plain_text(content: str) -> str:
    """The words of an HTML post, mentions removed (a handle may contain "join")."""
    text = html.unescape(_TAGS.sub(" ", content[:MAX_TEXT]))
    return " ".join(_MENTION.sub(" ", text).split())


def pledge_minutes(text: str) -> int | None:
    """`2h` -> 120, `1,5 heure` -> 90, `1h30` -> 90, `45 min` -> 45; None if no duration."""
    match = _PLEDGE.search(text)
    if match is None:
        return None
    if match.group(4) is not None:
        return int(match.group(4)) or None
    hours = float(match.group(1).replace(",", "."))
    extra = int(match.group(3)) if match.group(3) else 0
    return round(hours * 60) + extra or None


def read_request(content: str) -> Request | None:
    """What a post asks of the campaign, if anything.

    A report ("done 2h", "fait 1200") comes first; then leaving wins over joining.
    """
    text = plain_text(content)
    if DONE_WORDS.search(text):
        minutes = pledge_minutes(text)
        amount = _NUMBER.search(_PLEDGE.sub(" ", text))  # a number that is not a duration
        impact = amount.group(1).replace(",", ".") if amount else None
        if minutes is not None or impact is not None:
            return Request(Intent.REPORT, minutes, impact)
    if LEAVE_WORDS.search(text):
        return Request(Intent.LEAVE)
    if JOIN_WORDS.search(text):
        return Request(Intent.JOIN, pledge_minutes(text))
    return None
