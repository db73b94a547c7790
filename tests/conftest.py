"""Shared fixtures: a headless Chromium (Debian's) driven by Playwright; the check that
the PostgreSQL pass has its server; separate nodes' databases dropped after each test;
the named people of ``tests.factories`` and test clients signed in as them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client
    from tests.factories import World

CHROMIUM = os.environ.get("VECHE_CHROMIUM", "/usr/bin/chromium")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop + live_server


def pytest_sessionstart(session: pytest.Session) -> None:
    """On PostgreSQL, reach the server before anything else runs.

    ``make test``'s PostgreSQL pass (``VECHE_TEST_DATABASE=postgres``) is skipped, with
    the reason, on a machine without a server; in CI (``CI`` set), or when
    ``DATABASE_URL`` named the server, an unreachable server fails the run at once.
    """
    from tests import databases

    if not databases.on_postgres():
        return
    url = databases.run_server_url()
    why = databases.reachable(url)
    if why is None:
        return
    where = url.rsplit("@", 1)[-1]  # no password in the message
    if databases.chosen() == "postgres" and not os.environ.get("CI"):
        pytest.exit(
            f"PostgreSQL pass SKIPPED: no PostgreSQL server at {where} ({why}). Start one, or"
            " set VECHE_TEST_POSTGRES_URL (see .ci/run); CI runs this pass.",
            returncode=0,
        )
    pytest.exit(f"PostgreSQL pass FAILED: cannot reach PostgreSQL at {where}: {why}", returncode=3)


@pytest.fixture(autouse=True)
def _drop_node_databases() -> Iterator[None]:
    """A separate node's own PostgreSQL database lasts one test (tests/apps/sync/nodes.py)."""
    yield
    from tests.apps.sync import nodes

    nodes.drop_all()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need Chromium at {CHROMIUM}; .ci/run installs it")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 412, "height": 915}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache (election verification reports live there)."""
    yield
    from django.conf import settings

    if settings.configured:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def queued_tasks(settings: Any) -> None:
    """Background tasks go to the database queue, as on a node, instead of running
    within the request: the test runs them with ``veche.web.background.run_pending``."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["audits", "default"],
        }
    }


@pytest.fixture
def world() -> World:
    """Named people (``world.person("Sokol")``) and their committees, made through actions."""
    from tests.factories import World

    return World()


@pytest.fixture
def signed_in_as(world: World) -> Callable[..., Client]:
    """``signed_in_as("Zubr", language="be")``: a test client signed in as a new account
    of this node for the world's person of that name (passphrase ``tests.factories.PASS``)."""
    from tests.factories import signed_in_client

    def client(name: str, *, language: str | None = None) -> Client:
        return signed_in_client(world.person(name), name, language=language)

    return client


@pytest.fixture
def assert_queries() -> Any:
    """``with assert_queries(n):`` fails, listing every query's SQL, unless the block
    makes exactly ``n`` database queries (tests/queries.py)."""
    from tests.queries import assert_queries as check

    return check
