"""The error table: every DetenteError reaches clients with its class's HTTP status and exit code.

Through the real worker pool and the app's one error handler to HTTP clients, and through the CLI's one
handler to the command line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner
from flask import Flask

import detente.api.pool
import detente.errors
import detente.loaders.documents
import detente.ontology.docs
import detente.ontology.reasoning
import detente.ontology.validation
from detente.api.common import DetenteApi, current_api, handle_error
from detente.api.config import ApiSettings
from detente.cli import DetenteGroup
from detente.errors import BusyError, DetenteError, NotFoundError, ParameterError
from detente.loaders.base import FieldError, LoadError, Reject


def _all_subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _public(cls: type) -> bool:
    return not cls.__name__.startswith("_") and not cls.__module__.startswith(("tests", "test_"))


# Every error class detente defines, wherever it lives (the modules that define some are imported above).
ERROR_CLASSES = sorted({cls for cls in _all_subclasses(DetenteError) if _public(cls)} | {DetenteError},
                       key=lambda c: (c.__module__, c.__name__))


def make_error(cls: type[DetenteError]) -> DetenteError:
    """An instance of ``cls`` with a message that names it."""
    if issubclass(cls, LoadError):
        return cls([Reject("bad.csv", 3, "object", f"{cls.__name__} is wrong")])
    if issubclass(cls, FieldError):
        return cls("object", f"{cls.__name__} is wrong")
    if issubclass(cls, ParameterError):
        return cls("k", f"{cls.__name__} is wrong")
    return cls(f"{cls.__name__} is wrong")


def test_every_module_class_is_in_the_table() -> None:
    names = {cls.__name__ for cls in ERROR_CLASSES}
    assert set(detente.errors.__all__) - {"EXIT_OK", "EXIT_INVALID", "EXIT_ERROR"} <= names
    assert {"LoadError", "FieldError", "ReasoningError", "ShaclValidationError", "DocumentationError"} <= names
    # The old names are the new classes, so old imports and except clauses keep working.
    assert detente.api.pool.NotFound is NotFoundError and detente.api.pool.PoolBusy is BusyError
    assert detente.api.pool.TaskTimeout is detente.errors.QueryTimeoutError
    from detente.api.sparql_guard import RefusedQuery
    from detente.graph.store import QuerySyntaxError, ResultTooLargeError, StoreError

    assert RefusedQuery is detente.errors.RefusedError and StoreError is detente.errors.StoreError
    assert QuerySyntaxError is detente.errors.QuerySyntaxError and issubclass(ResultTooLargeError, StoreError)


# -- HTTP -------------------------------------------------------------------------

def raise_in_worker(store: object, error: BaseException) -> None:
    """A task: raise ``error`` inside the worker process."""
    raise error


def raise_value_error(store: object) -> None:
    """A task with a bug."""
    raise ValueError("a bug in a task: " + str(int("12") + 30))


def raise_unpicklable(store: object) -> None:
    """A task raising an exception that cannot cross the pipe (its class is local)."""
    class LocalError(Exception):
        pass

    raise LocalError("made inside a function")


_TASKS = {"value": raise_value_error, "unpicklable": raise_unpicklable}


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """A bare app with detente's state and error handler, and routes that run raising tasks in workers."""
    app = Flask("error-table")
    DetenteApi(ApiSettings.from_mapping({"store": "memory:", "workers": 1}, environ={})).init_app(app)
    app.register_error_handler(Exception, handle_error)

    @app.get("/raise/<name>")
    def raise_named(name: str) -> str:
        cls = next(c for c in ERROR_CLASSES if f"{c.__module__}.{c.__name__}" == name)
        current_api().call(raise_in_worker, make_error(cls))
        return "not reached"

    @app.get("/bug/<kind>")
    def bug(kind: str) -> str:
        current_api().call(_TASKS[kind])
        return "not reached"

    @app.post("/update")  # a plain-text route, as the SPARQL routes are
    def text_route() -> str:
        current_api().call(raise_value_error)
        return "not reached"

    yield app
    app.extensions["detente"].close()


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=[c.__name__ for c in ERROR_CLASSES])
def test_an_error_raised_in_a_worker_arrives_with_its_class_status(app: Flask, cls: type[DetenteError],
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    error = make_error(cls)
    with caplog.at_level(logging.ERROR, logger="detente.api"):
        response = app.test_client().get(f"/raise/{cls.__module__}.{cls.__name__}")
    assert response.status_code == cls.http_status
    assert response.json["status"] == cls.http_status
    for key, value in error.headers.items():
        assert response.headers[key] == value
    if cls.http_status == 500:
        # Store and worker failures keep their details in the log, under the id the client is given.
        request_id = response.headers["X-Request-Id"]
        assert response.json["request_id"] == request_id and request_id in response.json["message"]
        assert cls.__name__ not in response.get_data(as_text=True)
        assert any(request_id in r.getMessage() and r.exc_info and r.exc_info[0] is cls for r in caplog.records)
    else:
        assert response.json["message"] == str(error) and "X-Request-Id" not in response.headers
        assert not caplog.records


def test_not_found_in_a_worker_is_404(app: Flask) -> None:
    response = app.test_client().get("/raise/detente.errors.NotFoundError")
    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "status": 404, "message": "NotFoundError is wrong"}


def test_a_bare_value_error_in_a_task_is_a_500_logged_with_the_worker_traceback(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="detente.api"):
        response = app.test_client().get("/bug/value")
    assert response.status_code == 500  # never a 400: a ValueError is a bug, not a bad request
    request_id = response.headers["X-Request-Id"]
    assert response.json["request_id"] == request_id and len(request_id) >= 16
    body = response.get_data(as_text=True)
    assert "a bug in a task" not in body and "Traceback" not in body
    (record,) = [r for r in caplog.records if request_id in r.getMessage()]
    logged = logging.Formatter().format(record)
    assert "ValueError: a bug in a task: 42" in logged
    assert "in raise_value_error" in logged  # the worker's own frame, carried back over the pipe


def test_an_exception_that_cannot_cross_the_pipe_is_still_a_logged_500(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="detente.api"):
        response = app.test_client().get("/bug/unpicklable")
    assert response.status_code == 500
    (record,) = [r for r in caplog.records if response.headers["X-Request-Id"] in r.getMessage()]
    assert "LocalError: made inside a function" in logging.Formatter().format(record)


def test_a_500_on_a_text_route_is_plain_text_with_the_request_id(app: Flask) -> None:
    response = app.test_client().post("/update")
    assert response.status_code == 500 and response.mimetype == "text/plain"
    assert response.headers["X-Request-Id"] in response.get_data(as_text=True)


def test_the_pool_passes_exceptions_not_strings() -> None:
    from detente.api.pool import RemoteTraceback, WorkerPool
    from detente.graph.store import open_store

    with WorkerPool(open_store("memory:"), size=1) as pool:
        with pytest.raises(LoadError) as info:
            pool.call(raise_in_worker, make_error(LoadError), timeout=10)
        assert info.value.rejects == [Reject("bad.csv", 3, "object", "LoadError is wrong")]
        assert info.value.__cause__ is None  # a DetenteError is expected, not a bug: no traceback attached
        with pytest.raises(ValueError, match="a bug in a task") as bug:
            pool.call(raise_value_error, timeout=10)
        assert isinstance(bug.value.__cause__, RemoteTraceback)
        assert pool.call(detente.api.pool.count_quads, timeout=10) == 0  # the worker lives on


# -- the command line ---------------------------------------------------------------

def cli_raising(error: BaseException) -> click.Group:
    @click.group(cls=DetenteGroup)
    def group() -> None:
        """A group with the detente handler."""

    @group.command()
    def fail() -> None:
        raise error

    return group


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=[c.__name__ for c in ERROR_CLASSES])
def test_an_error_exits_with_its_class_code_and_message_only(cls: type[DetenteError]) -> None:
    error = make_error(cls)
    result = CliRunner().invoke(cli_raising(error), ["fail"])
    assert result.exit_code == cls.exit_code
    assert str(error) in result.output and "Traceback" not in result.output
    assert result.stdout == ""  # messages go to stderr


def test_a_bug_exits_2_with_its_traceback() -> None:
    result = CliRunner().invoke(cli_raising(ValueError("a bug")), ["fail"])
    assert result.exit_code == 2
    assert "Traceback" in result.output and "internal error: ValueError: a bug" in result.output
