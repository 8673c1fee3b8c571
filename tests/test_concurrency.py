"""Several channels writing at once: nobody gets "database is locked", nobody's edit is lost."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import make_url

from rapport import hookimpl
from rapport.core.domain.enums import Channel
from rapport.core.domain.errors import ConcurrentChange
from rapport.core.services.customers import create_customer, get_customer, update_customer
from rapport.core.services.interactions import log_interaction
from tests.helpers import count_customers


def test_eight_writers_at_once_all_succeed(app, admin):
    def rep_session(worker):
        for n in range(15):
            customer = create_customer(app, admin, {"name": f"Customer {worker}-{n}"})
            log_interaction(app, admin, {"customer_id": customer.id, "kind": "call"})
            update_customer(app, admin, customer.id, {"address": f"Street {n}"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(rep_session, range(8)))
    assert count_customers(app) == 120


def test_a_write_racing_another_is_reported_not_lost(make_app, admin, database_url):
    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so this race cannot happen")
    reading = threading.Event()
    release = threading.Event()

    class Pause:
        """Holds the sheet's update after it read the record, while the bot writes."""

        @hookimpl
        def validate_change(self, change):
            if change.actor.channel is Channel.SHEET:
                reading.set()
                release.wait(5)

    app = make_app(plugins=[("pause", Pause())])
    customer = create_customer(app, admin, {"name": "Acme", "address": "Moscow"})
    outcome = {}

    def sheet_edit():
        try:
            update_customer(app, admin.via(Channel.SHEET), customer.id, {"address": "Samara"})
        except ConcurrentChange as exc:
            outcome["sheet"] = exc

    worker = threading.Thread(target=sheet_edit)
    worker.start()
    assert reading.wait(5)
    update_customer(app, admin.via(Channel.BOT), customer.id, {"address": "Kazan"})
    release.set()
    worker.join(5)
    assert "reload it and try again" in str(outcome["sheet"])
    assert get_customer(app, admin, customer.id).address == "Kazan"


def test_sqlite_writers_of_one_process_take_turns_and_a_failed_one_lets_go(tmp_path):
    """The engine's write lock is held from BEGIN IMMEDIATE to the end of the transaction,
    whichever way it ends, so a failed write never blocks the next writer."""
    from sqlalchemy import text

    from rapport.core.db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    with pytest.raises(Exception, match="UNIQUE"), engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1), (1)"))

    def write(n):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(2, 202)))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 200
    engine.dispose()
