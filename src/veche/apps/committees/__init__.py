"""Committees: spaces of members who admit each other and decide together.

Every change is a signed event (see ``kinds``); the models here are
projections of those events, and ``actions`` are the only code that writes.
"""
