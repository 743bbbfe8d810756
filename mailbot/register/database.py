"""Opening the register: one engine per URL, migrated to the newest schema before use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session

from mailbot.config import ConfigError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """The register cannot be reached or migrated; the message says which database and why.

    A URL that is wrong in itself is a ConfigError instead (exit 2, not 1)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(url: str, *, migrate: bool = True) -> Engine:
    """Create the engine (and the SQLite file's folder), then bring the schema up to date with Alembic."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database.url: not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise ConfigError(f"database.url: unsupported database: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        try:
            upgrade(engine)
        except OperationalError as exc:
            raise DatabaseError(f"database {parsed.render_as_string(hide_password=True)}: {exc.orig}") from None
    return engine


def upgrade(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # One migrator at a time when several instances start together.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7306641)")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)
