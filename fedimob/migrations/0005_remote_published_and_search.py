from typing import Any

from tortoise import migrations
from tortoise.expressions import F
from tortoise.migrations import operations as ops
from tortoise import fields

from fedimob.domain.search_text import campaign_search_text, search_text_of
from fedimob.domain.text import html_to_text

BATCH = 500


async def fill_new_columns(apps: Any, schema_editor: Any) -> None:
    """Rows older than this migration: their search text, and a remote copy's publication
    date, unknown before, taken as when we last fetched it."""
    client = schema_editor.client
    campaign = apps.get_model("models", "Campaign")
    remote = apps.get_model("models", "RemoteCampaign")
    last = 0
    while rows := await (
        campaign.filter(id__gt=last).order_by("id").limit(BATCH).using_db(client)
        .values("id", "title", "summary", "kind", "address", "categories", "association__name")
    ):  # fmt: skip
        for row in rows:
            text = campaign_search_text(
                title=row["title"],
                summary=row["summary"],
                association=row["association__name"],
                place=row["address"] if row["kind"] == "physical" else "",
                categories=row["categories"] or (),
            )
            await campaign.filter(id=row["id"]).using_db(client).update(search_text=text)
        last = rows[-1]["id"]
    await remote.filter(published_at__isnull=True).using_db(client).update(
        published_at=F("fetched_at")
    )
    last = 0
    while rows := await (
        remote.filter(id__gt=last).order_by("id").limit(BATCH).using_db(client)
        .values("id", "title", "summary_html")
    ):  # fmt: skip
        for row in rows:
            text = search_text_of([row["title"], html_to_text(row["summary_html"])])
            await remote.filter(id=row["id"]).using_db(client).update(search_text=text)
        last = rows[-1]["id"]


class Migration(migrations.Migration):
    dependencies = [('models', '0004_job_priority')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Campaign',
            name='search_text',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='RemoteCampaign',
            name='published_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='RemoteCampaign',
            name='search_text',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.RunPython(fill_new_columns, ops.RunPython.noop),
    ]
