"""Veche's translations (``<lang>/LC_MESSAGES/django.po`` and the compiled ``.mo``)
and, as ``<lang>/formats.py``, date and number formats for languages Django has
none for; ``FORMAT_MODULE_PATH = ["veche.locale"]`` in the settings enables them."""
