"""The machine-readable copy: JSON and CSV of the same facts, with the configured processors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from mailbot import export
from mailbot.register import store
from tests.desk.factory import add_customer, make_app, open_request


def test_copy_holds_customer_requests_mails_and_processors(tmp_path: Path) -> None:
    app = make_app(tmp_path, processors=[
        {"name": "Mollie", "purpose": "betalingen", "categories": ["naam", "betaalgegevens"]},
        {"name": "PostNL", "purpose": "bezorging", "categories": ["naam", "adres"]},
    ])
    add_customer(app)
    first = open_request(app)
    ref = open_request(app, subject="Overdracht", body="Graag al mijn persoonsgegevens in een bestand.")
    with app.session() as s:
        request = store.request_by_ref(s, ref)
        assert request is not None
        files = {name: (ctype, data) for name, ctype, data in export.files(s, app.settings, request)}
    assert set(files) == {f"gegevens-{ref}.json", f"gegevens-{ref}.csv"}
    ctype, raw = files[f"gegevens-{ref}.json"]
    data = json.loads(raw)
    assert ctype == "application/json"
    assert data["customer"]["email"] == "jan@example.nl" and data["customer"]["extra.city"] == "Best"
    assert [r["ref"] for r in data["requests"]] == [first, ref]
    assert len(data["mails"]) == 2
    assert data["processors"] == [
        {"name": "Mollie", "purpose": "betalingen", "categories": ["naam", "betaalgegevens"]},
        {"name": "PostNL", "purpose": "bezorging", "categories": ["naam", "adres"]},
    ]
    ctype, raw = files[f"gegevens-{ref}.csv"]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert ctype == "text/csv" and rows[0] == ["section", "field", "value"]
    assert ["customer", "customer_id", "C-1001"] in rows
    assert ["processors[2]", "categories", "naam; adres"] in rows
    assert ["requests[1]", "ref", first] in rows


def test_copy_of_an_unknown_sender_has_no_customer_record(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    ref = open_request(app, sender="Piet <piet@elders.example>")
    with app.session() as s:
        request = store.request_by_ref(s, ref)
        assert request is not None
        data = export.copy(s, app.settings, request, request.received_at)
    assert data["customer"] is None
    assert [m["from"] for m in data["mails"]] == ["piet@elders.example"]
