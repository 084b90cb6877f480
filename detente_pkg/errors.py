"""Every error detente reports, in one tree: each class knows its HTTP status and exit code.

The HTTP app has one error handler and the command line one, and both read
the answer off the class: a new kind of failure is one new class here, never
a new row in a table elsewhere. An exception that is not a
:class:`DetenteError` is a bug: HTTP 500 (with a request id in the log) and
exit code 2.

Python callers may also catch the built-in kinds they expect: a
:class:`UsageError` or :class:`NotAcceptableError` is a ``ValueError`` and a
:class:`NotFoundError` a ``KeyError`` (so ``LookupError``). The handlers read
only the attributes below; a plain ``ValueError`` is still a bug (500).

Exit codes follow pySHACL's convention:

==== ============================================================
0    success; for ``validate`` and ``ontology check``: valid/consistent
1    invalid input, inconsistent ontology, nothing found
2    usage error, unreadable file, store, lock or server error
==== ============================================================

>>> error = NotFoundError("no claim 'x'")
>>> error.http_status, error.exit_code, str(error)
(404, 1, "no claim 'x'")
>>> issubclass(QuerySyntaxError, UsageError), issubclass(QuerySyntaxError, ValueError)
(True, True)
>>> import pickle
>>> busy = pickle.loads(pickle.dumps(BusyError("all workers are busy", retry_after=2)))
>>> busy.headers, str(busy)
({'Retry-After': '2'}, 'all workers are busy')
"""

from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ERROR = 2


class DetenteError(Exception):
    """The root of every error detente reports to a user.

    Attributes
    ----------
    http_status:
        The status an HTTP route answers with.
    exit_code:
        The command line's exit code.
    headers:
        Extra HTTP headers for the answer (``Retry-After``…).
    label:
        What the command line calls this kind of error (``usage error: …``); None: the
        class name in words (``QuerySyntaxError`` → ``query syntax error``).
    """

    http_status: ClassVar[int] = 500
    exit_code: ClassVar[int] = EXIT_ERROR
    label: ClassVar[str | None] = None

    def __init__(self, message: str = "", *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})

    def __str__(self) -> str:
        # Exception's own text, also where a built-in base (KeyError) would quote it.
        return str(self.args[0]) if len(self.args) == 1 else Exception.__str__(self)

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross the query-worker pipe as pickles: rebuild without calling a subclass's
        # __init__ (whose signature may differ) and keep every attribute (message, headers, rejects…).
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[DetenteError], args: tuple[object, ...], state: dict[str, object]) -> DetenteError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


# -- the request or command is wrong (exit 2) -------------------------------------

class UsageError(DetenteError, ValueError):
    """A parameter, option or argument does not fit (HTTP 400, exit 2)."""

    http_status = 400


class QuerySyntaxError(UsageError):
    """The SPARQL text does not parse."""


class ParameterError(UsageError, ValueError):
    """A parameter, option or query-string value does not fit; the message starts with its name.

    Also a ``ValueError``, so code written before this tree (``except ValueError``)
    keeps catching it; handlers map it by its class attributes, never as a ValueError.

    Users see it as the usage error it is (``usage error: k: …``): the class only
    adds the parameter's name for callers.

    >>> error = ParameterError("k", "not an integer: 'many'")
    >>> str(error), error.parameter, error.http_status, error.label
    ("k: not an integer: 'many'", 'k', 400, 'usage error')
    """

    label = "usage error"

    def __init__(self, parameter: str, problem: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{parameter}: {problem}", headers=headers)
        self.parameter = parameter


class AmbiguousEntityError(UsageError, ValueError):
    """Several entities share the name given; the message names every candidate (HTTP 400, exit 2)."""

    def __init__(self, message: str, candidates: tuple[str, ...] = (), *,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers=headers)
        self.candidates = candidates


class QueryTooComplexError(UsageError):
    """The query nests or combines more patterns than this server evaluates (HTTP 400, exit 2).

    Oxigraph's planner takes time quadratic in the branches of a UNION and
    recursion as deep as the nesting; past the documented limits a query is
    refused before it runs.
    """


class UnsupportedQueryError(UsageError):
    """Valid SPARQL that the engine cannot evaluate, such as a call of a function it does not have (HTTP 400)."""


class RefusedError(UsageError):
    """Valid, but something this server or store never does (SERVICE, LOAD, writing a system graph)."""


class OutboundRefusedError(RefusedError):
    """The query engine tried to open a network connection (SERVICE, LOAD) and the kernel refused it.

    Raised where the engine runs without network access (see
    :mod:`detente.api.sandbox`): the request could not have reached any address.
    """


class NotAcceptableError(DetenteError, ValueError):
    """No format the client accepts can hold the answer (HTTP 406)."""

    http_status = 406


class UnsupportedMediaTypeError(DetenteError):
    """The request body comes in a media type the route does not read (HTTP 415)."""

    http_status = 415


class UnauthorizedError(DetenteError):
    """The route needs a valid bearer token (HTTP 401)."""

    http_status = 401


class ForbiddenError(DetenteError):
    """The route is switched off on this server (HTTP 403)."""

    http_status = 403


class ProtectedGraphError(ForbiddenError):
    """A write would change a system graph that only detente's own commands write (HTTP 403); nothing changed."""


# -- the data is wrong or absent (exit 1) -----------------------------------------

class NotFoundError(DetenteError, KeyError):
    """The thing asked for does not exist (HTTP 404, exit 1)."""

    http_status = 404
    exit_code = EXIT_INVALID


class UnknownEntityError(NotFoundError, ValueError):
    """No entity has the IRI, CURIE, path, code, label or alias given (HTTP 404, exit 1).

    Also a ``ValueError`` for code written before this tree (see :class:`ParameterError`).
    """


class InvalidInputError(DetenteError):
    """An input file or record is invalid; nothing of it was written (HTTP 422, exit 1)."""

    http_status = 422
    exit_code = EXIT_INVALID


# -- the store or server cannot do it now (exit 2) --------------------------------

class StoreError(DetenteError):
    """A store operation failed (bad URI, unreachable server, storage error)."""


class LoadStoppedError(DetenteError):
    """A load was stopped (Ctrl-C) while a file was written; what it had written was taken back (exit 2)."""

    label = "load stopped"


class ReadOnlyError(StoreError):
    """A write was attempted on a store opened read-only (HTTP 403)."""

    http_status = 403


class StoreLockedError(StoreError):
    """Another process writes this store (HTTP 409)."""

    http_status = 409


class ServerHoldsStoreError(StoreLockedError):
    """A running ``detente serve`` holds this on-disk store: writes go through it (``--server``) or wait."""


class ResultTooLargeError(UsageError, StoreError):
    """A query produced more results than the caller allowed (HTTP 400, exit 2)."""


class BusyError(DetenteError):
    """Every worker of this kind of request is busy; try again (HTTP 503 with Retry-After)."""

    http_status = 503

    def __init__(self, message: str = "", *, retry_after: int = 1, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after), **(headers or {})})


class QueryTimeoutError(DetenteError):
    """The work ran past its time limit and was stopped (HTTP 503)."""

    http_status = 503


class WorkerError(DetenteError):
    """The process doing the work died (killed, out of memory) and was replaced (HTTP 500)."""


class ComponentError(DetenteError):
    """A component the work relies on (Java and HermiT, pySHACL, pyLODE) is missing or failed (HTTP 503)."""

    http_status = 503


__all__ = [
    "EXIT_OK", "EXIT_INVALID", "EXIT_ERROR", "DetenteError", "UsageError", "ParameterError", "AmbiguousEntityError",
    "QuerySyntaxError", "RefusedError", "UnknownEntityError",
    "NotAcceptableError", "UnsupportedMediaTypeError", "UnauthorizedError", "ForbiddenError", "NotFoundError",
    "InvalidInputError", "StoreError", "ReadOnlyError", "StoreLockedError", "ResultTooLargeError", "BusyError",
    "QueryTimeoutError", "WorkerError", "ComponentError", "OutboundRefusedError", "ProtectedGraphError",
    "ServerHoldsStoreError", "QueryTooComplexError", "UnsupportedQueryError", "LoadStoppedError",
]
