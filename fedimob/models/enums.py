"""Enumerations stored in the database. Values are stable: never rename one."""

from __future__ import annotations

from enum import StrEnum


class ActorKind(StrEnum):
    PERSON = "person"
    GROUP = "group"
    ORGANIZATION = "organization"
    APPLICATION = "application"
    SERVICE = "service"


class HandleKind(StrEnum):
    """Who owns a name in the instance's single handle namespace (`@name@domain`)."""

    ACCOUNT = "account"
    ASSOCIATION = "association"
    CAMPAIGN = "campaign"
    RESERVED = "reserved"


class MemberRole(StrEnum):
    OWNER = "owner"
    ORGANISER = "organiser"


class CampaignKind(StrEnum):
    DIGITAL = "digital"
    PHYSICAL = "physical"


class GoalKind(StrEnum):
    PARTICIPANTS = "participants"
    HOURS = "hours"
    IMPACT = "impact"


class JoinMode(StrEnum):
    FREE = "free"
    APPROVAL = "approval"


class CampaignState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ENDED = "ended"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    MISSED = "missed"


class ParticipationState(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class JoinVia(StrEnum):
    """How a participation came in (shown to organisers)."""

    WEB = "web"
    CLI = "cli"
    DEMO = "demo"
    JOIN_ACTIVITY = "join"
    POLL_VOTE = "poll"
    MENTION = "mention"
    ACCEPT_EVENT = "accept_event"


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class FollowState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"


class InboxState(StrEnum):
    PENDING = "pending"
    PROCESSED = "processed"
    FAILED = "failed"


class ReactionKind(StrEnum):
    SUPPORT = "support"  # a Like
    SHARE = "share"  # an Announce
