from core.services.customers import create_customer, list_customers


def test_rep_creates_customer_and_finds_it(app, team):
    ivan = team["ivan"]
    created = create_customer(app, ivan, {"name": "ООО Ромашка", "phones": ["8 (912) 345-67-89"]})
    assert created.phones == ["+79123456789"]
    assert [c.id for c in list_customers(app, ivan, query="ромашка")] == [created.id]
