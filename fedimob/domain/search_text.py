"""Search text: what discover's search compares, folded the same way on every database.

A campaign's words (title, summary, association, place, categories) are stored
once more in `search_text`, folded: case-folded, in compatibility decomposition
without combining marks, with the few Latin letters that do not decompose
spelled out ("École" -> "ecole", "Straße" -> "strasse", "cœur" -> "coeur",
"ﬁ" -> "fi"). A query is folded the same way and each of its words looked for
in that column with a plain LIKE (Tortoise escapes `%`, `_` and `\\`), so SQLite
and PostgreSQL find the same campaigns without collations, extensions or any
per-row work at query time.

The functions here are pure; whoever writes a campaign's words writes its
`search_text` in the same save (`fedimob.domain.campaigns`, `drafts`,
`fedimob.federation.mirrors`, and migration 0005 for rows older than it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_SEARCH_TEXT = 8000  # longer than every field it is made of, folded, put together
MAX_QUERY_TERMS = 8  # words of a query that must all appear; the rest are ignored
MAX_TERM = 100  # a folded word longer than this is cut (the query itself is capped first)
# Letters that NFKD leaves whole but a person types without their mark or ligature.
_SPELLED_OUT = str.maketrans(
    {
        "œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
        "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k", "\u0131": "i",  # the last: dotless i
    }
)  # fmt: skip


def fold(text: str) -> str:
    """`text` case- and accent-free, one space between words."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.translate(_SPELLED_OUT).split())


def search_text_of(parts: Iterable[str]) -> str:
    """The folded text of a campaign's words, one line per part (a phrase never spans two)."""
    lines = (fold(part) for part in parts)
    return "\n".join(line for line in lines if line)[:MAX_SEARCH_TEXT]


def campaign_search_text(
    *, title: str, summary: str, association: str, place: str, categories: Iterable[str]
) -> str:
    """The `search_text` of one of our campaigns."""
    names = [name for name in categories if isinstance(name, str)]
    return search_text_of([title, summary, association, place, *names])


def query_terms(text: str) -> list[str]:
    """The folded words of a query, each of which a campaign's text must contain.

    Duplicates are dropped, as is a word another one contains ("clean" in
    "cleanup"): it could not narrow the list further.
    """
    words: list[str] = []
    for word in fold(text).split():
        word = word[:MAX_TERM]
        if word not in words:
            words.append(word)
    kept = [w for w in words if not any(w != other and w in other for other in words)]
    return kept[:MAX_QUERY_TERMS]
