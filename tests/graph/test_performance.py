"""The process tuning of graph/performance.py."""

from __future__ import annotations

import ctypes
import platform
import sys
import types

import pytest

from detente.graph.performance import return_large_blocks


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's threshold is glibc's")
def test_large_blocks_are_mapped_on_their_own_under_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    assert return_large_blocks.__wrapped__() is True


def test_a_threshold_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert return_large_blocks.__wrapped__() is False


def test_a_threshold_set_through_glibc_tunables_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536")
    assert return_large_blocks.__wrapped__() is False


def test_off_linux_nothing_is_asked_of_the_c_library(monkeypatch: pytest.MonkeyPatch) -> None:
    # On Windows ctypes.CDLL(None) raises TypeError: the platform is checked first.
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: pytest.fail("the C library was loaded"))
    assert return_large_blocks.__wrapped__() is False


def test_a_c_library_without_mallopt(monkeypatch: pytest.MonkeyPatch) -> None:  # macOS's, say
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: types.SimpleNamespace())
    assert return_large_blocks.__wrapped__() is False
