"""Every imported customer's history shows its creation as if it had been made alone: who
imported it, through which channel, and each value it was stored with; so does each
organisation the import created for its people."""

from rapport.core.services.audit import history
from rapport.core.services.customers import list_customers
from rapport.plugins.contacts.importing import plan_import, run_import
from rapport.plugins.contacts.tabular import read_source

ROWS = (
    b"Name;Company;Phone;E-mail\n"
    b"Anna;Romashka;+7 912 000 00 01;anna@Example.COM\n"
    b"Boris;Romashka;8 912 000 00 02;\n"
    b"Carl;;+7 912 000 00 03;carl@example.com\n"
)


def test_each_imported_customer_has_its_own_creation_entry(app, team) -> None:
    ivan = team["ivan"]
    report = run_import(app, ivan, plan_import(app, read_source(ROWS, "clients.csv")))
    assert (report.created, report.organisations_created) == (3, 1)
    stored = {c.name: c for c in list_customers(app, ivan, limit=10)}
    expected = {
        "Anna": {"phones": ["+79120000001"], "emails": ["anna@example.com"]},
        "Boris": {"phones": ["+79120000002"]},
        "Carl": {"phones": ["+79120000003"], "emails": ["carl@example.com"]},
        "Romashka": {"kind": "organisation"},
    }
    for name, values in expected.items():
        [entry] = history(app, ivan, "customer", stored[name].id)
        assert (entry.action, entry.actor_id, entry.channel) == ("create", ivan.user_id,
                                                                 ivan.channel)  # fmt: skip
        assert entry.changes["name"] == {"old": None, "new": name}
        assert entry.changes["owner_id"] == {"old": None, "new": ivan.user_id}
        for field, value in values.items():
            assert entry.changes[field] == {"old": None, "new": value}
    assert stored["Anna"].organisation_id == stored["Romashka"].id
    [anna] = history(app, ivan, "customer", stored["Anna"].id)
    assert anna.changes["organisation_id"]["new"] == stored["Romashka"].id
