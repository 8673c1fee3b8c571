import pytest

from rapport.core.bootstrap import build_app
from rapport.core.domain.errors import ConfigError, InvalidInput
from rapport.core.services.customers import create_customer, update_customer
from rapport.core.settings import PluginSettings


def test_a_customer_carries_what_the_domain_asks_for(app, team):
    customer = create_customer(
        app,
        team["ivan"],
        {
            "name": "ООО Ромашка",
            "fields": {
                "org_type": "Dealer",
                "industry": "розница",
                "region": "Поволжье",
                "source": "exhibition",
                "loyalty_reasons": "быстрая доставка",
                "interests": "сервисный контракт",
                "competitor_purchases": "расходники у Альфы",
                "messengers": "telegram @romashka",
                "consent": "email, Telegram",
                "birthday": "12.05.1980",
                "notes": "не звонить до 10",
            },
        },
    )
    assert customer.fields["org_type"] == "dealer"
    assert customer.fields["consent"] == ["email", "telegram"]
    assert customer.fields["birthday"] == "1980-05-12"
    with pytest.raises(InvalidInput, match=r"fields.source: 'tv' is not one of: recommendation"):
        update_customer(app, team["ivan"], customer.id, {"fields": {"source": "tv"}})
    with pytest.raises(InvalidInput, match=r"fields.birthday: is in the future"):
        update_customer(app, team["ivan"], customer.id, {"fields": {"birthday": "2999-01-01"}})


def test_the_team_sets_its_own_organisation_types(make_app, admin):
    app = make_app(plugins_options={"contacts": {"organisation_types": ["bank", "broker"]}})
    customer = create_customer(app, admin, {"name": "Alpha", "fields": {"org_type": "Bank"}})
    assert customer.fields["org_type"] == "bank"
    with pytest.raises(InvalidInput, match=r"'dealer' is not one of: bank, broker"):
        create_customer(app, admin, {"name": "Beta", "fields": {"org_type": "dealer"}})


def test_bad_plugin_settings_stop_start_up_with_the_setting_named(settings):
    options = PluginSettings(contacts={"sources": [], "reminder_hour": 25})
    broken = settings.model_copy(update={"plugins": options})
    with pytest.raises(ConfigError) as error:
        build_app(broken, load_entry_points=False)
    assert "plugins.contacts.sources: needs at least one value" in str(error.value)
    assert "plugins.contacts.reminder_hour" in str(error.value)
