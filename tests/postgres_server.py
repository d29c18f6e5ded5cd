"""A real PostgreSQL server for the tests: Debian's binaries, a temporary folder, 127.0.0.1, a database per test.

Modelled on pytest-postgresql's split between a process fixture (one server for the session) and a
client fixture (a fresh database for each test, dropped after it), and written here because
pytest-postgresql runs ``initdb`` and ``pg_ctl`` as the current user, and both refuse root
(dbfixtures/pytest-postgresql#341, #455). As root (CI, ``make test``), each server command runs as
Debian's ``postgres`` user through ``runuser -u postgres --``.

The server listens on 127.0.0.1 only, on a free port, with a random password (scram-sha-256), and on
a unix socket inside its own folder (mode 700); it is stopped, and its folder removed, in ``finally``.
Durability is switched off (``fsync=off``): a test server never outlives a power cut.

Use it from a test module::

    from tests.postgres_server import postgres_server, postgres_url  # noqa: F401 (pytest fixtures)

    def test_x(postgres_url):          # "postgresql+psycopg://postgres:...@127.0.0.1:PORT/test_..."
        ...
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

OWNER = "postgres"  # Debian's postgresql package creates this system user
DRIVER = "postgresql+psycopg"  # SQLAlchemy's dialect for psycopg 3


def binaries() -> Path | None:
    """The folder of PostgreSQL's server programs (Debian: /usr/lib/postgresql/<major>/bin), newest first."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name),
                   reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """One running server. folder: its data, socket and log; password: the ``postgres`` role's."""

    bin: Path
    folder: Path
    port: int
    password: str
    as_root: bool

    @classmethod
    def start(cls) -> PostgresServer:
        bin_folder = binaries()
        if bin_folder is None:
            raise FileNotFoundError("PostgreSQL's server programs are not installed (apt-get install postgresql; "
                                    "`make test` installs it as root)")
        as_root = os.geteuid() == 0
        folder = Path(tempfile.mkdtemp(prefix="course-pg-"))
        server = cls(bin_folder, folder, _free_port(), secrets.token_hex(16), as_root)
        try:
            if as_root:
                owner = pwd.getpwnam(OWNER)
                os.chown(folder, owner.pw_uid, owner.pw_gid)
            password_file = folder / "password"
            password_file.write_text(server.password + "\n")
            if as_root:
                os.chown(password_file, owner.pw_uid, owner.pw_gid)
            server._run("initdb", "--pgdata", str(folder / "data"), "--username", "postgres", "--encoding", "UTF8",
                        "--locale", "C", "--auth-local", "trust", "--auth-host", "scram-sha-256",
                        "--pwfile", str(password_file), "--no-sync", "--no-instructions")
            password_file.unlink()
            options = (f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
            server._run("pg_ctl", "start", "--pgdata", str(folder / "data"), "--log", str(folder / "server.log"),
                        "--wait", "--timeout", "60", "-o", options)
        except BaseException:
            server.stop()
            raise
        return server

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", OWNER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.folder)
        if result.returncode != 0:
            log = self.folder / "server.log"
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stdout}{result.stderr}"
                               + (log.read_text()[-2000:] if log.is_file() else ""))

    def stop(self) -> None:
        """Stop the server (fast shutdown: open connections are closed) and remove its folder."""
        try:
            if (self.folder / "data" / "postmaster.pid").is_file():
                self._run("pg_ctl", "stop", "--pgdata", str(self.folder / "data"), "--mode", "fast", "--wait")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` over TCP on 127.0.0.1, as ``course --db-url`` takes it."""
        return f"{DRIVER}://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def _admin(self):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", password=self.password,
                               dbname="postgres", autocommit=True)

    def create_database(self, name: str) -> str:
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # ends its open connections


@pytest.fixture(scope="session")
def postgres_server():
    """The session's PostgreSQL server (the process fixture)."""
    try:
        server = PostgresServer.start()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database for one test (the client fixture): its SQLAlchemy URL; dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)
