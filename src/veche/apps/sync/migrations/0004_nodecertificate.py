"""Members' certificates for the node's key move from DATA_DIR/sync-certificates.json
into the database (on an encrypted node, so that they are encrypted with it)."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import migrations, models, transaction


def _from_file(apps: Any, _schema_editor: Any) -> None:
    from veche.web.db import sealed

    path = Path(settings.DATA_DIR) / "sync-certificates.json"
    try:
        stored = json.loads(sealed.read(path, "node-key"))
    except FileNotFoundError:
        return
    except (OSError, ValueError):
        stored = []  # unreadable: members certify the node again when they next sign in
    certificate = apps.get_model("sync", "NodeCertificate")
    for cert in stored if isinstance(stored, list) else []:
        if isinstance(cert, dict) and isinstance(cert.get("member"), str):
            certificate.objects.update_or_create(
                member=cert["member"][:43], defaults={"document": cert}
            )
    # Deleted once the rows are committed: never lost between the two.
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


class Migration(migrations.Migration):
    dependencies = [("sync", "0003_bundleexport")]

    operations = [
        migrations.CreateModel(
            name="NodeCertificate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("member", models.CharField(max_length=43, unique=True)),
                ("document", models.JSONField()),
            ],
        ),
        migrations.RunPython(_from_file, migrations.RunPython.noop),
    ]
