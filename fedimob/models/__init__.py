"""The database models. Tortoise discovers them through this package.

Domain rules live in `fedimob.domain`; these classes only describe storage.
"""

from fedimob.models.accounts import Account, Actor, Handle
from fedimob.models.associations import Association, Membership
from fedimob.models.campaigns import Campaign, CampaignUpdate, Milestone
from fedimob.models.enums import (
    ActorKind,
    CampaignKind,
    CampaignState,
    FollowState,
    GoalKind,
    HandleKind,
    InboxState,
    JobState,
    JoinMode,
    JoinVia,
    MemberRole,
    Outcome,
    ParticipationState,
    ReactionKind,
)
from fedimob.models.federation import (
    ActorBlock,
    Follow,
    InboxItem,
    OutboxActivity,
    RemoteHost,
    Report,
)
from fedimob.models.jobs import Job
from fedimob.models.notices import Notice
from fedimob.models.participations import Participation
from fedimob.models.reactions import Reaction
from fedimob.models.remote_campaigns import RemoteCampaign, RemoteJoin
from fedimob.models.sessions import InstanceSetting, WebSession

__all__ = [
    "Account",
    "Actor",
    "ActorBlock",
    "ActorKind",
    "Association",
    "Campaign",
    "CampaignKind",
    "CampaignState",
    "CampaignUpdate",
    "Follow",
    "FollowState",
    "GoalKind",
    "Handle",
    "HandleKind",
    "InboxItem",
    "InboxState",
    "InstanceSetting",
    "Job",
    "JobState",
    "JoinMode",
    "JoinVia",
    "MemberRole",
    "Membership",
    "Milestone",
    "Notice",
    "OutboxActivity",
    "Outcome",
    "Participation",
    "ParticipationState",
    "Reaction",
    "ReactionKind",
    "RemoteCampaign",
    "RemoteHost",
    "RemoteJoin",
    "Report",
    "WebSession",
]
