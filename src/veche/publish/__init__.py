"""The signed static mirror (docs/formats/mirror-v1.md), as pure Python (no Django).

``facts`` derives what the committees published from signed events alone, ``render``
turns those facts into exact page bytes, and ``mirror`` writes a folder incrementally
and verifies one: the same derivation runs on the publishing node and on any reader's
machine, so a page that is not exactly what its events say fails the check.
"""
