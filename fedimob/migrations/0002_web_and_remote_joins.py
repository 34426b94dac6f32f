from tortoise import migrations
from tortoise.migrations import operations as ops
from fedimob.models.enums import ParticipationState
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InstanceSetting',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'instance_setting', 'app': 'models', 'pk_attr': 'key', 'table_description': 'One setting an admin can change (name, description, registrations...).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('text', fields.TextField(unique=False)),
                ('url', fields.CharField(default='', max_length=2048)),
                ('key', fields.CharField(null=True, unique=True, max_length=200)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notice', 'app': 'models', 'indexes': [Index(fields=['account_id', 'read_at'])], 'pk_attr': 'id', 'table_description': "One line for a person's notice list: a reminder, an outcome, an answer to a join."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RemoteJoin',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign', fields.ForeignKeyField('models.RemoteCampaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='joins', on_delete=OnDelete.CASCADE)),
                ('participant', fields.ForeignKeyField('models.Actor', source_field='participant_id', db_constraint=True, to_field='id', related_name='remote_joins', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharEnumField(description='REQUESTED: requested\nACCEPTED: accepted\nREJECTED: rejected\nWITHDRAWN: withdrawn', enum_type=ParticipationState, max_length=16)),
                ('pledge_minutes', fields.IntField()),
                ('ap_id', fields.CharField(unique=True, max_length=2048)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'remote_join', 'app': 'models', 'unique_together': (('campaign', 'participant'),), 'pk_attr': 'id', 'table_description': "A local person's participation in another instance's campaign."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebSession',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('csrf_token', fields.CharField(max_length=64)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'web_session', 'app': 'models', 'pk_attr': 'id', 'table_description': "A browser's session: the cookie holds a random token, this row its hash."},
            bases=['Model'],
        ),
    ]
