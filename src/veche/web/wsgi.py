"""WSGI entry point for gunicorn (``veche serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.web.settings")
application = get_wsgi_application()
