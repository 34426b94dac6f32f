"""Every real payload in ../shared/interop/ reads through the vocabulary helpers.

The corpus (real documents from Mastodon, Mobilizon, Pleroma, Lemmy... test
suites) lives next to the repository on the developers' machines, not in it:
when the folder is absent this module is skipped. The project's own fixtures
under fixtures/ reproduce the same shapes and are always tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from activitypub.audience import inboxes_from_actor, read_audience
from activitypub.contexts import read_context
from activitypub.errors import InvalidDocument
from activitypub.ids import same_origin
from activitypub.language import read_name, read_text
from activitypub.nodeinfo import read_nodeinfo_links
from activitypub.polls import read_poll, read_vote
from activitypub.vocab import (
    has_type,
    loads_object,
    read_attachments,
    read_id,
    read_public_keys,
    read_refs,
    read_tags,
    read_types,
    require_ref,
)
from activitypub.webfinger import read_jrd

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "interop"
if not CORPUS.is_dir():
    pytest.skip(f"no interop corpus at {CORPUS}", allow_module_level=True)

FILES = sorted(path.relative_to(CORPUS).as_posix() for path in CORPUS.rglob("*.json"))
# Templates, not documents ("https://{{DOMAIN}}/actor", "{{activity_id}}"):
# their placeholder ids are rightly refused.
TEMPLATED = {"pleroma/mastodon/application_actor.json", "pleroma/relay/accept-follow.json"}
REFERENCE_FIELDS = ("actor", "object", "attributedTo", "inReplyTo", "target", "origin")


def load(name: str) -> dict[str, Any]:
    return loads_object((CORPUS / name).read_bytes())


def read_as2(doc: Mapping[str, Any], depth: int = 0) -> None:
    """Run every reader over an AS2 document and the objects embedded in it."""
    read_context(doc)
    types = read_types(doc)
    read_audience(doc)
    for field in ("content", "summary"):
        read_text(doc, field, languages=["fr", "en"])
    read_name(doc, languages=["fr"])
    read_tags(doc)
    read_attachments(doc)
    read_public_keys(doc)
    if "Question" in types:
        assert read_poll(doc).options
    if "Create" in types:
        read_vote(doc)
    if "inbox" in doc:
        inboxes_from_actor(doc)
    for field in REFERENCE_FIELDS:
        for ref in read_refs(doc, field):
            if ref.embedded is not None and depth < 2:
                read_as2(ref.embedded, depth + 1)


def read_document(doc: Mapping[str, Any]) -> None:
    read_id(doc)
    read_as2(doc)


def test_corpus_is_there() -> None:
    assert len(FILES) > 50


@pytest.mark.parametrize("name", FILES)
def test_reads_without_error(name: str) -> None:
    doc = load(name)
    parts = name.split("/")
    if "webfinger" in parts:
        assert read_jrd(doc).actor_id.startswith("https://")
    elif "nodeinfo" in parts:
        url, _ = read_nodeinfo_links(doc)
        assert url is not None
    elif "signatures" in parts:
        assert "vectors" in doc  # HTTP signature vectors, not an AS2 document
    elif name in TEMPLATED:
        with pytest.raises(InvalidDocument, match=r"host|http"):
            read_document(doc)
    else:
        read_document(doc)


def test_mastodon_vote_reads_as_a_vote() -> None:
    vote = read_vote(load("pleroma/mastodon-vote.json"))
    assert vote is not None
    assert vote.choice == "suya.."
    assert vote.voter == "https://mastodon.sdf.org/users/rinpatch"


def test_mastodon_question_reads_as_a_poll() -> None:
    question = require_ref(load("pleroma/mastodon-question-activity.json"), "object").embedded
    assert question is not None
    assert [o.votes for o in read_poll(question).options] == [0, 1, 0, 1]


def test_bogus_announce_embeds_a_foreign_object() -> None:
    # What a server must notice: the embedded Note is not on the announcer's
    # origin, so it cannot be trusted as sent and must be fetched from its own.
    announce = load("pleroma/bogus-mastodon-announce.json")
    actor = require_ref(announce, "actor").id
    note = require_ref(announce, "object")
    assert note.embedded is not None
    assert not same_origin(actor, note.id)


def test_mobilizon_join_and_hubzilla_follow_shapes() -> None:
    join = load("mobilizon/mobilizon-join-activity.json")
    assert has_type(join, "Join")
    assert require_ref(join, "object").id == "http://mobilizon.test/events/some-uuid"
    follow = load("pleroma/hubzilla-follow-activity.json")
    assert require_ref(follow, "actor").embedded == {
        "id": "https://hubzilla.example.org/channel/kaniini"
    }
