"""``assert_queries(n)``: a block makes exactly ``n`` database queries, or the test fails
with every query's SQL (the fixture of the same name in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


class QueryCountError(AssertionError):
    pass


def listing(queries: CaptureQueriesContext) -> str:
    return "\n".join(f"{i:3}. {q['sql']}" for i, q in enumerate(queries.captured_queries, 1))


@contextmanager
def assert_queries(expected: int, what: str = "the block") -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as queries:
        yield queries
    if len(queries) != expected:
        raise QueryCountError(
            f"{what} made {len(queries)} queries, {expected} expected:\n{listing(queries)}"
        )
