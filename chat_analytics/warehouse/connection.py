"""Connection resolution: the user's own PostgreSQL, or the embedded one.

With ``CHAT_ANALYTICS_DSN`` set, or any of the standard libpq variables
(``PGHOST``, ``PGPORT``, ``PGDATABASE``, ``PGUSER``, ``PGSERVICE``), that server
is used and nothing is started. Otherwise an embedded server under
``CHAT_ANALYTICS_HOME`` is started on first use and reused afterwards.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from chat_analytics.errors import ConfigurationError, WarehouseError
from chat_analytics.warehouse.embedded import DEFAULT_DATABASE, EmbeddedServer

__all__ = [
    "ConnectionSettings",
    "home_dir",
    "embedded_server",
    "uses_embedded_server",
    "resolve_dsn",
    "connect",
    "redact_dsn",
    "to_uri",
]

logger = logging.getLogger(__name__)

DSN_VARIABLE = "CHAT_ANALYTICS_DSN"
HOME_VARIABLE = "CHAT_ANALYTICS_HOME"
LIBPQ_VARIABLES = (
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGDATABASE",
    "PGUSER",
    "PGSERVICE",
)


def home_dir() -> Path:
    """Return the home folder: ``CHAT_ANALYTICS_HOME`` or a per-user data folder."""
    configured = os.environ.get(HOME_VARIABLE)
    if configured:
        return Path(configured).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("chat-analytics", appauthor=False))


def embedded_server() -> EmbeddedServer:
    """Return the embedded server of the current home folder (not started)."""
    return EmbeddedServer(home_dir())


def uses_embedded_server() -> bool:
    """Return whether no external server is configured in the environment."""
    if os.environ.get(DSN_VARIABLE):
        return False
    return not any(os.environ.get(name) for name in LIBPQ_VARIABLES)


def resolve_dsn(dsn: str | None = None, *, database: str | None = None) -> str:
    """Return the warehouse connection string; start the embedded server if needed.

    Parameters
    ----------
    dsn : str, optional
        An explicit libpq connection string or URI; it wins over the environment.
    database : str, optional
        Connect to this database instead of the one the settings name.

    Returns
    -------
    str
        A libpq connection string usable by psycopg, psql and SQLAlchemy.
    """
    if dsn is None and os.environ.get(DSN_VARIABLE):
        dsn = os.environ[DSN_VARIABLE]
    if dsn is None and not uses_embedded_server():
        dsn = ""  # libpq completes it from the PG* variables
    if dsn is None:
        server = embedded_server()
        if not server.status().running:
            server.start()
        return server.dsn(database or DEFAULT_DATABASE)
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as error:
        raise ConfigurationError(
            f"invalid connection string in {DSN_VARIABLE} or --dsn: {error}; "
            "use a libpq URI such as postgresql://user@host:5432/dbname"
        ) from None
    if database is not None:
        params["dbname"] = database
    return make_conninfo(**params)


def connect(dsn: str | None = None, **kwargs) -> psycopg.Connection:
    """Open a psycopg connection to the warehouse (see :func:`resolve_dsn`)."""
    resolved = resolve_dsn(dsn)
    try:
        return psycopg.connect(resolved, **kwargs)
    except psycopg.OperationalError as error:
        raise WarehouseError(
            f"cannot connect to the warehouse at {redact_dsn(resolved)}: "
            f"{' '.join(str(error).split())}; check that the server runs "
            "('chat-analytics db status') and the connection settings"
        ) from None


def redact_dsn(dsn: str) -> str:
    """Return ``dsn`` as a URI with any password masked, for logs and errors."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "<unparsable connection string>"
    if "password" in params:
        params["password"] = "***"
    return to_uri(params)


def to_uri(params: dict[str, str | int]) -> str:
    """Return libpq ``params`` as a URI that psql, SQLAlchemy and dbt read.

    A Unix-socket folder goes into the ``host`` query parameter, which libpq and
    SQLAlchemy's psycopg dialect both accept.
    """
    remaining = {key: str(value) for key, value in params.items() if value != ""}
    user = quote(remaining.pop("user", ""), safe="")
    password = remaining.pop("password", None)
    host = remaining.pop("host", "")
    port = remaining.pop("port", "")
    dbname = quote(remaining.pop("dbname", ""), safe="")
    credentials = user + (f":{quote(password, safe='*')}" if password else "")
    authority = f"{credentials}@" if credentials else ""
    if host.startswith("/"):
        remaining["host"] = host
        host = ""
    if port and host:
        host = f"{host}:{port}"
    elif port:
        remaining["port"] = port
    query = urlencode(remaining, quote_via=quote, safe="")
    return f"postgresql://{authority}{host}/{dbname}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class ConnectionSettings:
    """The libpq parameters of one warehouse connection, with the environment applied.

    dbt and other clients that do not read a DSN get their settings from here.
    """

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_dsn(cls, dsn: str) -> ConnectionSettings:
        """Combine ``dsn`` with the PG* variables and libpq's defaults."""
        params = conninfo_to_dict(dsn)

        def pick(key: str, variable: str, default: str) -> str:
            return str(params.get(key) or os.environ.get(variable) or default)

        try:
            port = int(pick("port", "PGPORT", "5432"))
        except ValueError:
            raise ConfigurationError(
                f"invalid port {pick('port', 'PGPORT', '5432')!r}; give a number"
            ) from None
        user = pick("user", "PGUSER", os.environ.get("USER", "postgres"))
        return cls(
            host=pick("host", "PGHOST", "/var/run/postgresql"),
            port=port,
            user=user,
            password=pick("password", "PGPASSWORD", ""),
            dbname=pick("dbname", "PGDATABASE", user),
        )

    def __repr__(self) -> str:
        return (
            f"ConnectionSettings(host={self.host!r}, port={self.port}, "
            f"user={self.user!r}, password='***', dbname={self.dbname!r})"
        )


def require_running(dsn: str) -> None:
    """Raise :class:`WarehouseError` unless a connection to ``dsn`` succeeds."""
    with connect(dsn):
        pass
