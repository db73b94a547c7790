"""The event store: the only place where events are written and projections are derived.

Views and commands never write projections: they call an app's action, the
action calls ``veche.apps.store.log.record`` (local events) and sync calls
``ingest`` (received events); both validate, store and project atomically.
"""
