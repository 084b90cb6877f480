"""A process that evaluates client SPARQL must not be able to open a network connection.

Oxigraph follows ``SERVICE <url>`` and ``LOAD <url>`` itself, and pyoxigraph
(0.5) has neither a switch to turn its HTTP client off nor a parser to look at
a query before it runs. So instead of judging the text, every process that
evaluates client SPARQL on the embedded engine first installs a seccomp-bpf
filter (:func:`install`) that makes the kernel refuse ``socket()`` — for every
address family — and ``io_uring_setup()``. Whatever the query says, the engine
cannot reach any address: ``SERVICE`` and ``LOAD`` fail with "Operation not
permitted" before a packet leaves. The filter is inherited by every child and
cannot be removed.

Why every family, AF_UNIX included: glibc's resolver talks to local name
services (nscd, systemd-resolved) over AF_UNIX sockets, so allowing them would
still turn ``SERVICE <http://secret.example.org/>`` into a DNS query leaving the
machine. The sandboxed processes need no new sockets: their channels to the
server are socket pairs (``socketpair()``, which only makes AF_UNIX pairs and
stays allowed) made before the filter, or passed over them.

An attempt answers ``EPERM`` rather than killing the process: Oxigraph then
reports an ordinary evaluation error, the worker lives on, and the client gets
a clear refusal (400, "this server makes no outbound connections") instead of a
dead worker and a 500. Nothing is lost by not killing: the call simply fails.
Only a call from a foreign system-call ABI (32-bit or x32 on x86-64), which
detente never makes, kills the process.

Supported: Linux on x86-64 and aarch64. Elsewhere :func:`install` raises
:class:`SandboxUnavailable` and the caller falls back on refusing SERVICE and
LOAD by a conservative scan of the text (see :mod:`detente.api.sparql_guard`).

>>> status().platform_supported in (True, False)
True
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys
from dataclasses import dataclass

__all__ = ["SandboxUnavailable", "SandboxStatus", "install", "installed", "status", "NO_OUTBOUND_MESSAGE"]

#: What a client is told when the engine tried to reach out and the kernel refused.
NO_OUTBOUND_MESSAGE = ("this server makes no outbound connections: SERVICE and LOAD cannot reach any address "
                       "(the query engine runs without network access)")


class SandboxUnavailable(OSError):
    """The network sandbox cannot be installed on this system (why is the message)."""


@dataclass(frozen=True)
class _Arch:
    audit_arch: int
    nr_socket: int
    nr_io_uring_setup: int
    nr_seccomp: int
    foreign_bit: int | None  # x32 system calls on x86-64 carry this bit


_ARCHES: dict[str, _Arch] = {
    "x86_64": _Arch(audit_arch=0xC000003E, nr_socket=41, nr_io_uring_setup=425, nr_seccomp=317,
                    foreign_bit=0x40000000),
    "aarch64": _Arch(audit_arch=0xC00000B7, nr_socket=198, nr_io_uring_setup=425, nr_seccomp=277,
                     foreign_bit=None),
}
_ARCHES["amd64"] = _ARCHES["x86_64"]
_ARCHES["arm64"] = _ARCHES["aarch64"]

# Classic BPF opcodes and seccomp constants (linux/filter.h, linux/seccomp.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000
_PR_SET_NO_NEW_PRIVS = 38
_PR_GET_SECCOMP = 21
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
# Offsets in struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6].
_OFF_NR, _OFF_ARCH = 0, 4

_installed = False


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _program(arch: _Arch) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) instructions; jumps are relative to the next instruction."""
    deny = _RET_ERRNO | errno.EPERM
    prog: list[tuple[int, int, int, int]] = [
        (_LD_W_ABS, 0, 0, _OFF_ARCH),
        (_JEQ_K, 1, 0, arch.audit_arch),        # our ABI: go on
        (_RET_K, 0, 0, _RET_KILL_PROCESS),      # a foreign ABI (int 0x80, compat): never used by detente
        (_LD_W_ABS, 0, 0, _OFF_NR),
    ]
    if arch.foreign_bit is not None:
        prog += [(_JSET_K, 0, 1, arch.foreign_bit), (_RET_K, 0, 0, _RET_KILL_PROCESS)]  # x32
    prog += [
        (_JEQ_K, 2, 0, arch.nr_socket),
        (_JEQ_K, 1, 0, arch.nr_io_uring_setup),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, deny),
    ]
    return prog


@dataclass(frozen=True)
class SandboxStatus:
    """What this process knows about the sandbox.

    Attributes
    ----------
    platform_supported:
        Linux on x86-64 or aarch64 with seccomp filters.
    installed:
        This process runs under the filter.
    reason:
        Why it is not supported, when it is not.
    """

    platform_supported: bool
    installed: bool
    reason: str = ""


def _arch() -> _Arch:
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"seccomp filters need Linux, not {sys.platform}")
    machine = platform.machine().lower()
    arch = _ARCHES.get(machine)
    if arch is None or struct.calcsize("P") != 8:
        raise SandboxUnavailable(f"no seccomp filter for the {machine} architecture (x86_64 and aarch64 only)")
    return arch


def status() -> SandboxStatus:
    """Whether the sandbox can be (or has been) installed here, without installing it."""
    try:
        _arch()
    except SandboxUnavailable as exc:
        return SandboxStatus(False, False, str(exc))
    return SandboxStatus(True, installed())


def installed() -> bool:
    """True once this process runs under the filter (installed here or inherited from a parent)."""
    return _installed


def install() -> None:
    """Forbid this process (all its threads, and every child) to create sockets or io_uring rings.

    Call it before the process opens the store or reads client SPARQL. It
    cannot be undone.

    Raises
    ------
    SandboxUnavailable
        Not Linux x86-64/aarch64, or the kernel refused the filter.
    """
    global _installed
    if _installed:
        return
    arch = _arch()
    libc = ctypes.CDLL(None, use_errno=True)  # the C library already loaded in this process
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    instructions = _program(arch)
    array = (_SockFilter * len(instructions))(*(_SockFilter(*ins) for ins in instructions))
    prog = _SockFprog(len(instructions), ctypes.cast(array, ctypes.POINTER(_SockFilter)))
    libc.syscall.restype = ctypes.c_long
    result = libc.syscall(ctypes.c_long(arch.nr_seccomp), ctypes.c_long(_SECCOMP_SET_MODE_FILTER),
                          ctypes.c_long(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(prog))
    if result != 0:
        code = ctypes.get_errno()
        raise SandboxUnavailable(f"seccomp(SECCOMP_SET_MODE_FILTER) failed: {os.strerror(code)}"
                                 + (f" (a thread could not be synchronised: {result})" if result > 0 else ""))
    _installed = True


def check_refuses_sockets() -> None:
    """Prove the filter works in this process: creating a socket must fail with EPERM.

    Raises
    ------
    SandboxUnavailable
        A socket could be created: the filter is not in force.
    """
    import socket

    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except PermissionError:
        return
    probe.close()
    raise SandboxUnavailable("the seccomp filter is installed but socket() still works")
