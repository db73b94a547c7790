"""Veche: an offline-first platform for democratic self-organization.

Pure cores (no Django): ``veche.events`` (the signed event log), ``veche.crypto``
(election cryptography), ``veche.counting`` (vote counting rules), ``veche.audit``
(official-election forensics), ``veche.sync`` (sync protocol and bundles).
Django apps live under ``veche.apps``; the Django project is ``veche.web``; the
command line is ``veche.cli``.
"""

__version__ = "0.1.0"
