"""Rejected input is bounded: each row keeps its length (``size``) and at most the
first 4 KiB of the input, and the rows already stored are cut to the bounds of
``veche.apps.store.rejected`` (a node that took a junk bundle before this kept
every line of it, 64 KiB each)."""

from django.db import migrations, models
from django.db.models.functions import Length

# The bounds as they were when this migration was written (rejected.py may change).
KEEP_BYTES = 4 * 1024
KEEP_REASON = 1000
SOURCE_ROWS = 200
SOURCE_BYTES = 1024 * 1024
TOTAL_ROWS = 5000
TOTAL_BYTES = 16 * 1024 * 1024


def _prune(query, count, size):
    weights = (
        query.annotate(weight=Length("raw") + Length("reason"))
        .order_by("-id")
        .values_list("id", "weight")
    )
    total = 0
    for index, (row_id, weight) in enumerate(weights.iterator(chunk_size=2000)):
        total += int(weight or 0)
        if index >= count or total > size:
            query.filter(id__lte=row_id).delete()
            return


def bound_existing(apps, schema_editor):
    rejected = apps.get_model("store", "RejectedInput")
    for source in sorted(set(rejected.objects.values_list("source", flat=True))):
        _prune(rejected.objects.filter(source=source), SOURCE_ROWS, SOURCE_BYTES)
    _prune(rejected.objects.all(), TOTAL_ROWS, TOTAL_BYTES)
    ids = list(rejected.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), 200):
        rows = list(rejected.objects.filter(id__in=ids[start : start + 200]))
        for row in rows:
            raw = bytes(row.raw)
            row.size = len(raw)
            row.raw = raw[:KEEP_BYTES]
            row.reason = row.reason[:KEEP_REASON]
        rejected.objects.bulk_update(rows, ["size", "raw", "reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0003_outcomes_and_tips"),
    ]

    operations = [
        migrations.AddField(
            model_name="rejectedinput",
            name="size",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="rejectedinput",
            index=models.Index(fields=["source", "id"], name="rejected_by_source"),
        ),
        migrations.RunPython(bound_existing, migrations.RunPython.noop),
    ]
