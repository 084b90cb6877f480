"""The suite's CI rule (tests/conftest.py): with CI set, a skipped test fails; doctest +SKIP examples stay skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SUITE_CONFTEST = Path(__file__).with_name("conftest.py").read_text(encoding="utf-8")

SKIPPING = '''
import pytest


@pytest.mark.skipif(True, reason="needs a program this machine lacks")
def test_needs_a_program():
    assert True


def test_skips_itself():
    pytest.skip("no such server")
'''

DOCTEST = '''
def documented():
    """Only an example.

    >>> start_a_server()  # doctest: +SKIP
    """
'''


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(SUITE_CONFTEST)
    pytester.makepyfile(test_skipping=SKIPPING, documented=DOCTEST)
    return pytester


def test_without_ci_a_missing_component_skips(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = suite.runpytest("--doctest-modules", "-p", "no:cacheprovider")
    result.assert_outcomes(skipped=3)


def test_with_ci_a_missing_component_fails(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest("--doctest-modules", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*CI is set, so this skip fails the run: needs a program this machine lacks*",
                                 "*CI is set, so this skip fails the run: no such server*"])


def test_an_empty_ci_variable_is_unset(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "")
    result = suite.runpytest("--doctest-modules", "-p", "no:cacheprovider")
    result.assert_outcomes(skipped=3)
