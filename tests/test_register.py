"""The register on SQLite and PostgreSQL: migrations, reference numbers, imports, the contract's JSON."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect
from sqlmodel import Session, select

from mailbot.config import Settings
from mailbot.register import store
from mailbot.register.database import open_engine, upgrade
from mailbot.register.imports import ImportError_, import_customers, import_requests
from mailbot.register.models import Customer, Request


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_engine(db_url)
    yield engine
    engine.dispose()


def test_migrations_create_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"request", "customer", "inbound", "reply", "event", "quarantine", "counter", "state", "staff",
            "alembic_version"} <= tables
    upgrade(engine)  # a second start migrates nothing and does not fail


def test_reference_numbers_are_never_shared_by_concurrent_writers(engine: Engine) -> None:
    refs: list[str] = []
    lock = threading.Lock()

    def allocate() -> None:
        for _ in range(10):
            with Session(engine) as session:
                ref, _number = store.next_reference(session, "AVG", 2026)
                session.commit()
            with lock:
                refs.append(ref)

    threads = [threading.Thread(target=allocate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refs) == 60
    assert len(set(refs)) == 60
    assert sorted(refs)[-1] == "AVG-2026-0060"


def test_a_new_year_starts_at_one(engine: Engine) -> None:
    with Session(engine) as session:
        assert store.next_reference(session, "AVG", 2026)[0] == "AVG-2026-0001"
        assert store.next_reference(session, "AVG", 2027)[0] == "AVG-2027-0001"
        assert store.next_reference(session, "AVG", 2026)[0] == "AVG-2026-0002"


def test_rolled_back_number_is_not_reused_after_commit_elsewhere(engine: Engine) -> None:
    with Session(engine) as session:
        store.next_reference(session, "AVG", 2026)
        session.commit()
    with Session(engine) as session:
        assert store.next_reference(session, "AVG", 2026)[0] == "AVG-2026-0002"
        session.commit()


def test_customers_import_is_idempotent_and_lowercases(engine: Engine, tmp_path: Path) -> None:
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text("email,name,customer_id,city\nJan@Example.NL,Jan,C1,Best\nbob@example.nl,Bob,C2,\n",
                        encoding="utf-8")
    with Session(engine) as session:
        first = import_customers(session, csv_file)
        session.commit()
    with Session(engine) as session:
        second = import_customers(session, csv_file)
        session.commit()
        customers = session.exec(select(Customer).order_by(Customer.email)).all()
    assert (first.added, second.added, second.unchanged) == (2, 0, 2)
    assert [c.email for c in customers] == ["bob@example.nl", "jan@example.nl"]
    assert customers[1].extra == {"city": "Best"}


def test_customers_import_names_the_bad_line(engine: Engine, tmp_path: Path) -> None:
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text("email,name,customer_id\nok@example.nl,A,1\nnot-an-address,B,2\n", encoding="utf-8")
    with Session(engine) as session, pytest.raises(ImportError_, match="line 3"):
        import_customers(session, csv_file)


def test_requests_import_continues_numbering(engine: Engine, tmp_path: Path) -> None:
    csv_file = tmp_path / "register.csv"
    csv_file.write_text(
        "ref,requester_email,types,received_at,status,requester_name,message_ids\n"
        "AVG-2026-0041,a@example.nl,access;portability,2026-10-02,completed,An,<x1@example.nl>;x2@example.nl\n"
        "AVG-2026-0007,b@example.nl,erasure,2026-03-01T10:00:00+01:00,completed,,\n",
        encoding="utf-8",
    )
    settings = Settings()
    with Session(engine) as session:
        report = import_requests(session, settings, csv_file)
        session.commit()
    with Session(engine) as session:
        assert report.added == 2
        assert store.next_reference(session, "AVG", 2026)[0] == "AVG-2026-0042"
        imported = store.request_by_ref(session, "AVG-2026-0041")
        assert imported is not None
        assert imported.types == ["access", "portability"]
        assert store.request_by_thread(session, ["<x2@example.nl>"]).ref == "AVG-2026-0041"
        data = store.request_json(session, imported, tz=settings.company.tz)
        assert data["message_ids"] == ["<x1@example.nl>", "<x2@example.nl>"]
        assert data["due_at"] == "2026-11-01T23:59:59+01:00"
    with Session(engine) as session:
        again = import_requests(session, settings, csv_file)
        assert (again.added, again.unchanged) == (0, 2)


def test_requests_import_refuses_unknown_types(engine: Engine, tmp_path: Path) -> None:
    csv_file = tmp_path / "register.csv"
    csv_file.write_text("ref,requester_email,types,received_at,status\nAVG-2026-0001,a@example.nl,delete,"
                        "2026-10-02,completed\n", encoding="utf-8")
    with Session(engine) as session, pytest.raises(ImportError_, match="line 2: types"):
        import_requests(session, Settings(), csv_file)


def test_times_come_back_aware_in_utc(engine: Engine) -> None:
    with Session(engine) as session:
        received = datetime(2026, 3, 29, 3, 30, tzinfo=UTC)
        session.add(Request(ref="AVG-2026-0001", year=2026, number=1, status="pending_approval",
                            received_at=received, due_at=received))
        session.commit()
    with Session(engine) as session:
        row = session.exec(select(Request)).one()
        assert row.received_at == received
        assert row.received_at.utcoffset() is not None


def test_salt_is_made_once(engine: Engine) -> None:
    with Session(engine) as session:
        first = store.salt(session)
        session.commit()
    with Session(engine) as session:
        assert store.salt(session) == first
    assert store.address_hash("A@x.nl", first) == store.address_hash("a@x.nl ", first)


def test_migrations_match_the_models(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
