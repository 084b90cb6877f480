"""Suite-wide rules: under CI a skipped test is a failed one; Virtuoso tests share one xdist worker.

Tests that need a program the machine may lack (Java for HermiT, Chromium and
chromedriver, Virtuoso, curl) skip locally, saying what to install. With the
environment variable ``CI`` set and non-empty (``.ci/run`` sets it) such a skip
fails instead, so a CI machine that lost a component cannot pass by running
less. Doctest examples marked ``+SKIP`` are documentation, not skipped tests,
and stay skipped.

Tests that use a Virtuoso server (the ``virtuoso``/``virtuoso_small_results``
fixtures, or marked ``virtuoso``) are marked ``virtuoso`` and ``slow`` and put
in one ``xdist_group``: with ``pytest -n N`` (``--dist loadgroup`` is in
addopts) they run on one worker, so the session starts each server once, not
once per worker. Tests marked ``browser`` are ``slow`` too.

A suite started with SIGINT ignored (in the background of a script) handles it
again, so that the servers it starts stop on the Ctrl-C a test sends them.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Generator

import pytest
from _pytest.doctest import DoctestItem

# Conftest files hold no doctests. --doctest-modules would import each as a module named "conftest", and a
# second one (this, or a new test folder's) then fails with "import file mismatch".
collect_ignore_glob = ["*conftest.py"]

VIRTUOSO_FIXTURES = frozenset({"virtuoso", "virtuoso_small_results"})

# A suite started in the background by a script (`./run test &`) inherits SIGINT ignored, and so would the servers
# it starts, which then never see the Ctrl-C a test sends them. Handled here, SIGINT is back to its default in them.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if VIRTUOSO_FIXTURES.intersection(getattr(item, "fixturenames", ())) or item.get_closest_marker("virtuoso"):
            item.add_marker(pytest.mark.virtuoso)
            item.add_marker(pytest.mark.xdist_group("virtuoso"))
            item.add_marker(pytest.mark.slow)
        elif item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


def _ci() -> bool:
    return bool(os.environ.get("CI"))


def _skip_reason(longrepr: object) -> str:
    # A skip's longrepr is (file, line, "Skipped: reason").
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if (_ci() and report.skipped and not hasattr(report, "wasxfail")
            and not isinstance(item, DoctestItem)):
        report.outcome = "failed"
        report.longrepr = f"CI is set, so this skip fails the run: {_skip_reason(report.longrepr)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, None, None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if _ci() and report.skipped:  # a module that skips itself as a whole (pytest.skip(allow_module_level=True))
        report.outcome = "failed"
        report.longrepr = f"CI is set, so this skip fails the run: {_skip_reason(report.longrepr)}"
