"""Where the built clinic is cached and where each measurement gets its fresh working copy.

SQLite: a file `var/bench/clinic-<N>.sqlite3` with its marker beside it (`clinic-<N>.json`); a working copy
is a file copy. PostgreSQL: a database `commonground_bench_<N>` whose marker is the database's comment; a
working copy is `CREATE DATABASE ... TEMPLATE`. Only the server and credentials of DATABASE_URL are used:
the harness creates and drops its own databases, all named `commonground_bench_*`.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from benchmarks.config import BENCH_DIR


class Store:
    backend = ""

    def __init__(self, patients: int) -> None:
        self.patients = patients

    def describe(self) -> str:
        raise NotImplementedError

    def read_marker(self) -> dict[str, Any] | None:
        """The marker of the cached clinic, or None when there is none (or it is incomplete)."""
        raise NotImplementedError

    def start_build(self) -> str:
        """An empty database to build into (any leftover of a failed build is removed); its URL."""
        raise NotImplementedError

    def finish_build(self, marker: dict[str, Any]) -> None:
        """Make the built database the cached clinic, with its marker."""
        raise NotImplementedError

    def working_copy(self, label: str) -> str:
        """A fresh copy of the cached clinic for one measurement; its URL."""
        raise NotImplementedError

    def drop(self, url: str) -> None:
        raise NotImplementedError

    def connect(self, url: str) -> Any:
        """A plain driver connection (sqlite3 or psycopg), outside Django."""
        raise NotImplementedError


class SqliteStore(Store):
    backend = "sqlite"

    def __init__(self, patients: int) -> None:
        super().__init__(patients)
        self.path = BENCH_DIR / f"clinic-{patients}.sqlite3"
        self.marker_path = BENCH_DIR / f"clinic-{patients}.json"
        self.build_path = BENCH_DIR / f"clinic-{patients}.building.sqlite3"
        self.work_dir = BENCH_DIR / "work"

    def describe(self) -> str:
        return str(self.path.relative_to(BENCH_DIR.parent.parent))

    def read_marker(self) -> dict[str, Any] | None:
        if not (self.path.exists() and self.marker_path.exists()):
            return None
        marker: dict[str, Any] = json.loads(self.marker_path.read_text())
        return marker

    def start_build(self) -> str:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        for path in (self.path, self.marker_path, *_sqlite_files(self.build_path)):
            path.unlink(missing_ok=True)
        return f"sqlite:///{self.build_path}"

    def finish_build(self, marker: dict[str, Any]) -> None:
        for leftover in _sqlite_files(self.build_path)[1:]:
            leftover.unlink(missing_ok=True)
        self.build_path.replace(self.path)
        self.marker_path.write_text(json.dumps(marker, indent=2) + "\n")

    def working_copy(self, label: str) -> str:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        target = self.work_dir / f"{label}.sqlite3"
        for path in _sqlite_files(target):
            path.unlink(missing_ok=True)
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        for path in _sqlite_files(Path(sqlite_path(url))):
            path.unlink(missing_ok=True)

    def connect(self, url: str) -> sqlite3.Connection:
        return sqlite3.connect(sqlite_path(url), isolation_level=None)


class PostgresStore(Store):
    backend = "postgresql"

    def __init__(self, patients: int, server_url: str) -> None:
        super().__init__(patients)
        self.server_url = server_url
        self.name = f"commonground_bench_{patients}"
        self.build_name = f"{self.name}_build"

    def describe(self) -> str:
        parts = urlsplit(self.server_url)
        return f"database {self.name} on {parts.hostname}:{parts.port or 5432}"

    def url_of(self, database: str) -> str:
        parts = urlsplit(self.server_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(postgres_conninfo(self.url_of("postgres")), autocommit=True)

    def read_marker(self) -> dict[str, Any] | None:
        with self._admin() as admin:
            row = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [self.name]
            ).fetchone()
        if row is None or not row[0]:
            return None
        marker: dict[str, Any] = json.loads(row[0])
        return marker

    def start_build(self) -> str:
        with self._admin() as admin:
            for name in (self.build_name, self.name):
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.build_name)))
        return self.url_of(self.build_name)

    def finish_build(self, marker: dict[str, Any]) -> None:
        with self._admin() as admin:
            admin.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(self.build_name), sql.Identifier(self.name)
                )
            )
            admin.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(self.name), sql.Literal(json.dumps(marker))
                )
            )

    def working_copy(self, label: str) -> str:
        copy = f"{self.name}_{label}"
        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy)))
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(copy), sql.Identifier(self.name))
            )
        return self.url_of(copy)

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        if not name.startswith("commonground_bench_"):
            raise ValueError(f"refusing to drop {name!r}: not a benchmark database")
        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def connect(self, url: str) -> psycopg.Connection[Any]:
        return psycopg.connect(postgres_conninfo(url))


def for_config(patients: int, database_url: str) -> Store:
    if database_url:
        return PostgresStore(patients, database_url)
    return SqliteStore(patients)


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def postgres_conninfo(url: str) -> str:
    """psycopg takes the URL as it is, once the scheme is one libpq knows."""
    return "postgresql://" + url.split("://", 1)[1]


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
