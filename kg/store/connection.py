"""How to reach a Bolt graph store, and a driver that is known to work.

Connection problems are the most common thing a user hits, so every failure of
:func:`open_driver` becomes a :class:`~kg.errors.StoreError` whose one-line
message names what to fix (the URI, the credentials or the database) and never
contains the password.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

import neo4j
from neo4j import exceptions as neo4j_errors

from kg.errors import StoreError

log = logging.getLogger(__name__)

#: Schemes the official driver speaks over Bolt (the HTTP preview needs extras).
BOLT_SCHEMES: tuple[str, ...] = (
    "bolt",
    "bolt+s",
    "bolt+ssc",
    "neo4j",
    "neo4j+s",
    "neo4j+ssc",
)

#: The user name assumed when neither an argument nor NEO4J_USER gives one.
DEFAULT_USER = "neo4j"

#: Seconds to wait for a TCP connection, so an unreachable host fails fast.
CONNECTION_TIMEOUT = 5.0

#: Seconds the driver keeps retrying a managed transaction that failed on a
#: transient error or a lost connection. The driver's 30 s default, over two
#: loader lanes, made a store that died mid-load fail after a minute; a
#: deadlock between concurrent loads clears within a few retries.
MAX_TRANSACTION_RETRY_TIME = 4.0

#: Seconds to wait for a free (or new) connection from the driver's pool.
CONNECTION_ACQUISITION_TIMEOUT = 10.0

_DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
_CONSTRAINT_FAILED = "Neo.ClientError.Schema.ConstraintValidationFailed"
_TRANSIENT = "Neo.TransientError."
#: A database that is stopping (the server shuts down cleanly) or not yet started.
#: Neo4j calls it transient, but during a load it means the store went away.
_UNAVAILABLE = "Neo.TransientError.General.DatabaseUnavailable"
_RATE_LIMITED = "Neo.ClientError.Security.AuthenticationRateLimit"
_EXPIRED = "Neo.ClientError.Security.CredentialsExpired"
_REASON = re.compile(r"\(reason (?P<reason>.+)\)\s*$")


@dataclass(frozen=True)
class ConnectionConfig:
    """Where and as whom to connect; ``database=None`` means the server's default.

    The password is excluded from ``repr``/``str`` (and so from tracebacks and
    logs that format the config); only whether one is set is shown.
    """

    uri: str
    user: str = DEFAULT_USER
    password: str | None = field(default=None, repr=False)
    database: str | None = None

    def __post_init__(self) -> None:
        # Credentials written into the URI (``bolt://user:secret@host``) move
        # into the auth, so the URI kept here, handed to the driver and shown
        # in messages never holds a password; they win over NEO4J_USER and
        # NEO4J_PASSWORD because they are the more specific setting.
        uri, user, password = split_userinfo(self.uri)
        if uri == self.uri:
            return
        object.__setattr__(self, "uri", uri)
        if user:
            object.__setattr__(self, "user", user)
        if password is not None:
            object.__setattr__(self, "password", password)

    def __repr__(self) -> str:
        secret = "'***'" if self.password else "None"
        return (
            f"ConnectionConfig(uri={redact_uri(self.uri)!r}, user={self.user!r}, "
            f"password={secret}, database={self.database!r})"
        )

    __str__ = __repr__

    @classmethod
    def from_env(
        cls,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ) -> ConnectionConfig:
        """Build a config from explicit values, falling back to NEO4J_* variables.

        Explicit arguments win over NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and
        NEO4J_DATABASE. Without any URI there is nothing to connect to, which
        is a :class:`StoreError` (callers that want the embedded store use
        :func:`kg.store.resolve_config`).
        """
        found_uri = _pick(uri, "NEO4J_URI")
        if not found_uri:
            raise StoreError(
                "no graph store URI: set NEO4J_URI (e.g. bolt://localhost:7687) "
                "or unset it to use the embedded store"
            )
        return cls(
            uri=found_uri,
            user=_pick(user, "NEO4J_USER") or DEFAULT_USER,
            password=_pick(password, "NEO4J_PASSWORD"),
            database=_pick(database, "NEO4J_DATABASE"),
        )

    @property
    def auth(self) -> tuple[str, str] | None:
        """Basic auth for the driver, or None when no password is configured."""
        if self.password is None:
            return None
        return (self.user, self.password)


def _pick(explicit: str | None, variable: str) -> str | None:
    """An explicit value if given, else the environment variable (empty means unset)."""
    if explicit is not None:
        return explicit
    value = os.environ.get(variable, "").strip()
    return value or None


_USERINFO = re.compile(r"^(?P<scheme>[^:/?#@]*://)?(?P<userinfo>.*)@(?P<rest>[^@]*)$", re.DOTALL)


def split_userinfo(uri: str) -> tuple[str, str | None, str | None]:
    """``uri`` without its ``user:password@`` part, then the user and the password.

    Plain text, not :func:`urllib.parse.urlsplit`: a URI too broken to parse
    (a bad port, a stray bracket, a ``/`` in the password) must still lose its
    secret. Everything up to the last ``@`` counts as userinfo, so a password
    holding ``@`` or ``/`` is removed whole. User and password are
    percent-decoded; either is None when absent.
    """
    match = _USERINFO.match(uri)
    if match is None:
        return uri, None, None
    user, colon, password = match.group("userinfo").partition(":")
    clean = (match.group("scheme") or "") + match.group("rest")
    return clean, unquote(user) or None, unquote(password) if colon else None


def redact_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part: the one form kg ever shows."""
    return split_userinfo(uri)[0]


def open_driver(config: ConnectionConfig) -> neo4j.Driver:
    """A driver that has already reached ``config.database`` with ``config``'s credentials.

    Verifying up front turns the first query's obscure failure into one
    StoreError that says what to fix. The caller owns (and closes) the driver.
    """
    _check_scheme(config)
    try:
        driver = neo4j.GraphDatabase.driver(
            config.uri,
            auth=config.auth,
            connection_timeout=CONNECTION_TIMEOUT,
            connection_acquisition_timeout=CONNECTION_ACQUISITION_TIMEOUT,
            max_transaction_retry_time=MAX_TRANSACTION_RETRY_TIME,
        )
    except (neo4j_errors.ConfigurationError, ValueError) as error:
        raise StoreError(
            f"invalid graph store URI {redact_uri(config.uri)!r}: "
            f"{_scrub(one_line(str(error)), config)}; "
            "fix NEO4J_URI (e.g. bolt://localhost:7687)"
        ) from None
    try:
        driver.verify_connectivity()
        # verify_connectivity does not open the database, so a missing one
        # would only show up on the first real query; ask for it now.
        driver.execute_query("RETURN 1 AS ok", database_=config.database)
    except Exception as error:
        driver.close()
        raise to_store_error(error, config) from None
    log.debug("connected to %s", redact_uri(config.uri))
    return driver


def _check_scheme(config: ConnectionConfig) -> None:
    """Refuse non-Bolt URIs before the driver gives a less helpful error."""
    scheme = config.uri.split("://", 1)[0].lower() if "://" in config.uri else ""
    if scheme not in BOLT_SCHEMES:
        raise StoreError(
            f"invalid graph store URI {redact_uri(config.uri)!r}: the scheme must be one of "
            f"{', '.join(BOLT_SCHEMES)}; fix NEO4J_URI (e.g. bolt://localhost:7687)"
        )


def to_store_error(error: BaseException, config: ConnectionConfig) -> StoreError:
    """Translate a driver error into a one-line StoreError that says how to fix it."""
    where = redact_uri(config.uri)
    code = error.code if isinstance(error, neo4j_errors.Neo4jError) else None
    if code == _RATE_LIMITED:
        return StoreError(
            f"the graph store at {where} refuses logins for a while after repeated failures; "
            f"wait, then check NEO4J_USER ({config.user!r}) and NEO4J_PASSWORD"
        )
    if code == _EXPIRED:
        return StoreError(
            f"the password of user {config.user!r} on {where} has expired; change it "
            "(e.g. with cypher-shell) and update NEO4J_PASSWORD"
        )
    if isinstance(error, neo4j_errors.AuthError):
        return StoreError(
            f"the graph store at {where} rejected the credentials of user {config.user!r}; "
            "check NEO4J_USER and NEO4J_PASSWORD"
        )
    if code == _DATABASE_NOT_FOUND:
        name = config.database or "(default)"
        return StoreError(
            f"database {name!r} does not exist on {where}; create it or set NEO4J_DATABASE "
            "to an existing database (Neo4j Community has only 'neo4j')"
        )
    if code == _UNAVAILABLE:
        name = config.database or "(default)"
        return StoreError(
            f"database {name!r} on {where} is not available (it is starting, stopping or "
            "offline); wait until the server has started, then try again"
        )
    if isinstance(error, (neo4j_errors.ServiceUnavailable, OSError)):
        return StoreError(
            f"cannot reach the graph store at {where} ({_reason(error)}); start the server "
            "(e.g. docker compose up -d) or fix NEO4J_URI, or unset NEO4J_URI to use the "
            "embedded store"
        )
    return StoreError(f"the graph store at {where} failed: {_scrub(one_line(str(error)), config)}")


#: What to do when the store went away in the middle of a write.
RESTART_HINT = (
    "start it again (`kg db start` for the embedded store, or the server at NEO4J_URI), "
    "then run the same `kg load` again: loads are idempotent"
)


def operation_error(doing: str, error: BaseException) -> StoreError:
    """A one-line StoreError for a driver failure while ``doing`` something (e.g. loading).

    The common causes get a message that says what happened and what to do:
    the store went away, another load wrote the same keys at the same time,
    or the store stayed busy (deadlocks, memory) beyond the driver's retries.
    Anything else keeps the server's own (one-lined) words.
    """
    code = error.code if isinstance(error, neo4j_errors.Neo4jError) else None
    if isinstance(error, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError)):
        return StoreError(f"the store stopped while {doing} ({_lost(error)}); {RESTART_HINT}")
    if code == _UNAVAILABLE:
        # What a Neo4j that is shutting down cleanly answers until its socket closes.
        return StoreError(
            f"the store stopped while {doing} (the database became unavailable: the server "
            f"is stopping or restarting); {RESTART_HINT}"
        )
    if code == _CONSTRAINT_FAILED:
        return StoreError(
            f"another load wrote the same nodes at the same time while {doing}"
            f"{_constraint_detail(error)}; no node was duplicated: when the other load has "
            "finished, run the same `kg load` again: loads are idempotent"
        )
    if code == _DATABASE_NOT_FOUND:
        return StoreError(
            f"the database does not exist ({one_line(_message(error))}); set NEO4J_DATABASE "
            "to an existing database (Neo4j Community has only 'neo4j')"
        )
    if code is not None and code.startswith(_TRANSIENT):
        return StoreError(
            f"the store stayed busy while {doing} ({code.rsplit('.', 1)[-1]}: "
            f"{one_line(_message(error), 160)}); run the same command again, or with a "
            "smaller --batch-size: loads are idempotent"
        )
    return StoreError(f"{doing} failed: {one_line(str(error))}")


def _message(error: BaseException) -> str:
    """The server's message without the driver's ``{code: ...} {message: ...}`` wrapping."""
    message = getattr(error, "message", None)
    return message if isinstance(message, str) and message else str(error)


def _constraint_detail(error: BaseException) -> str:
    """`` (Node(12) already exists with label ...)``, or nothing when the server is vague."""
    message = one_line(_message(error), 160)
    return f" ({message})" if "already exists" in message else ""


def _lost(error: BaseException) -> str:
    """How the store went away, without the driver's socket addresses."""
    text = str(error)
    if "defunct connection" in text or "Failed to read" in text or "Failed to write" in text:
        return "the connection to it was lost"
    return _reason(error)


def _reason(error: BaseException) -> str:
    """The short cause inside a driver's multi-line connection error."""
    text = str(error)
    for line in reversed(text.splitlines()):
        match = _REASON.search(line)
        if match:
            return match.group("reason")
    return one_line(text) or type(error).__name__


def _scrub(text: str, config: ConnectionConfig) -> str:
    """Defence in depth: a server that echoes the password must not get it printed."""
    if config.password:
        text = text.replace(config.password, "***")
    return text


def one_line(text: str, limit: int = 300) -> str:
    """Collapse white space so a message fits on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
