"""Markdown rendering and HTML sanitising.

Organisers write Markdown; it is rendered, then sanitised with an allowlist
(nh3), so no stored HTML can carry script, style or event handlers. Remote
HTML (later: notes from other servers) gets the stricter Mastodon-like policy.
"""

from __future__ import annotations

from html import unescape

import nh3
from markdown_it import MarkdownIt

_LINK_ATTRIBUTES = {"a": {"href", "title", "class"}}
_LINK_REL = "nofollow noopener noreferrer"
RICH_TAGS = frozenset(
    {
        "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
        "pre", "span", "strong", "ul",
    }
)  # fmt: skip
REMOTE_TAGS = frozenset({"a", "br", "p", "span"})

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(source: str) -> str:
    """Render organiser Markdown to sanitised HTML (raw HTML in the source is escaped)."""
    return sanitise_html(_markdown.render(source), tags=RICH_TAGS)


def sanitise_html(html: str, *, tags: frozenset[str] = REMOTE_TAGS) -> str:
    """Keep only allowed tags, http(s) links, and a forced safe `rel` on links."""
    return nh3.clean(
        html,
        tags=set(tags),
        attributes={k: set(v) for k, v in _LINK_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel=_LINK_REL,
        strip_comments=True,
    )


def html_to_text(html: str) -> str:
    """Remote HTML as plain text (tags dropped, entities decoded, spaces collapsed)."""
    with_breaks = html.replace("</p>", "</p> ").replace("<br", " <br")
    return " ".join(unescape(nh3.clean(with_breaks, tags=set())).split())
