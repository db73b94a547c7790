"""Belarusian formats for Veche (see ``formats.py``)."""
