"""Sync between nodes over HTTP, bundle files and QR codes (the Django side of veche.sync)."""
