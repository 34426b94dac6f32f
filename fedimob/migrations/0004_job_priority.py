from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_ordered_requests')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Job',
            name='priority',
            field=fields.SmallIntField(default=0, db_default=0),
        ),
        ops.AddIndex(
            model_name='Job',
            index=Index(fields=['state', 'priority', 'run_at']),
        ),
    ]
