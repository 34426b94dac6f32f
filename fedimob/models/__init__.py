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
    GoalKind,
    HandleKind,
    JobState,
    JoinMode,
    JoinVia,
    MemberRole,
    Outcome,
    ParticipationState,
)
from fedimob.models.jobs import Job
from fedimob.models.participations import Participation

__all__ = [
    "Account",
    "Actor",
    "ActorKind",
    "Association",
    "Campaign",
    "CampaignKind",
    "CampaignState",
    "CampaignUpdate",
    "GoalKind",
    "Handle",
    "HandleKind",
    "Job",
    "JobState",
    "JoinMode",
    "JoinVia",
    "MemberRole",
    "Membership",
    "Milestone",
    "Outcome",
    "Participation",
    "ParticipationState",
]
