"""What a volunteer does: join, withdraw, report, join from the Fediverse, see their record.

    joining.py   /campaigns/{slug}/join (GET, POST), /leave, /report: the join box
    fediverse.py /campaigns/{slug}/fediverse: join with one's Fediverse account
    withdraw.py  /withdraw/{id}/{token}: the signed link of a remote participant
    remote.py    /remote-campaigns/join, /leave: other instances' campaigns
    mine.py      /me/participations, /me/notices/read, /me/record

Two includes belong to this area; the pages that include them pass their data:

- `campaign/_actions.html`, the join box of the campaign page. It needs `c`
  (the campaign summary) and `current_user` (both in the page's context) and
  whatever `await campaign_actions(request, campaign)` returns, merged into
  the page's context: `mine`, `joining_open`, `pledges`, `fediverse_handle`.
  Without them it still shows the right forms, only not the visitor's own
  participation.
- `campaign/_remote_actions.html`, the join button of another instance's
  campaign in a list. It needs `r` (one campaign of `running_remote_campaigns()`,
  with its Event URL as `r.ap_id`) and `await remote_actions(request)` merged
  into the page's context: `remote_joins`, `remote_pledges`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.volunteer import fediverse, joining, mine, remote, withdraw
from web.volunteer.joining import campaign_actions
from web.volunteer.remote import remote_actions

__all__ = ["campaign_actions", "remote_actions", "routes"]


def routes() -> list[BaseRoute]:
    return [
        *joining.routes(),
        *fediverse.routes(),
        *withdraw.routes(),
        *remote.routes(),
        *mine.routes(),
    ]
