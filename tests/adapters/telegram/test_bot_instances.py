"""Several bot instances: dialogs shared through Redis, each update handled by one of them."""

import os
import uuid

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from pydantic import SecretStr

from rapport.adapters.telegram.bot import build_dispatcher
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import list_deals
from rapport.testing.chat import Chat

IVAN = 1002
pytestmark = pytest.mark.xdist_group("redis")  # one Redis database: one at a time
REDIS_URL = os.environ.get("RAPPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def redis_storage():
    storage = RedisStorage.from_url(
        REDIS_URL, key_builder=DefaultKeyBuilder(prefix=f"t{uuid.uuid4().hex}")
    )
    try:
        await storage.redis.ping()
    except Exception as exc:
        await storage.close()
        if os.environ.get("RAPPORT_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required here: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield storage
    prefix = storage.key_builder.prefix
    keys = [key async for key in storage.redis.scan_iter(f"{prefix}:*")]
    if keys:
        await storage.redis.delete(*keys)
    await storage.close()


async def test_the_bot_keeps_dialogs_in_the_configured_redis(make_app):
    app = make_app(redis_url=SecretStr(REDIS_URL))
    storage = build_dispatcher(app).storage
    try:
        assert isinstance(storage, RedisStorage)
        assert storage.redis.connection_pool.connection_kwargs["db"] == int(
            REDIS_URL.rsplit("/", 1)[1]
        )
    finally:
        await storage.close()


def instance(app, session, storage):
    return Chat(app, session, storage)


async def test_a_dialog_started_on_one_instance_finishes_on_another(
    app, team, session, redis_storage
):
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    first, second = instance(app, session, redis_storage), instance(app, session, redis_storage)
    second.updates = first.updates  # one Telegram, numbering the updates for both
    await first.press(IVAN, f"r:/newdeal {customer.id}")
    await second.say(IVAN, "Весенний заказ")  # the load balancer picked the other instance
    await first.say(IVAN, "250000")
    [deal] = list_deals(app, team["ivan"])
    assert deal.title == "Весенний заказ" and deal.amount == 250000


async def test_an_update_delivered_to_two_instances_is_handled_by_one(
    app, team, session, redis_storage
):
    first, second = instance(app, session, redis_storage), instance(app, session, redis_storage)
    second.updates = first.updates
    update = first.contact_update(IVAN, "+79120001122", "Анна")
    await first.feed(update)
    await second.feed(update)
    assert [t for t in session.texts(IVAN) if t.startswith("New customer")] == [
        "New customer added: Анна."
    ]


async def test_with_redis_an_update_is_claimed_once_across_instances(redis_storage):
    from rapport.adapters.telegram.middlewares import RedisClaims

    prefix = redis_storage.key_builder.prefix
    first, second = (
        RedisClaims(redis_storage.redis, prefix),
        RedisClaims(redis_storage.redis, prefix),
    )

    def sender() -> str:  # read for the first claim only
        return "the sender"

    assert await first.claim(42, 7, sender) == (True, "the sender")
    assert await second.claim(42, 7, sender) == (False, None)
    assert await first.claim(42, 7, sender) == (False, None)
    assert await second.claim(42, 8, sender) == (True, "the sender")
    assert 0 < await redis_storage.redis.ttl(f"{prefix}:42:7") <= RedisClaims.KEEP_SECONDS


async def test_instances_share_the_sending_limits_through_redis(redis_storage):
    """Telegram counts per bot, not per process: what one instance sent, the next waits for."""
    from rapport.adapters.telegram.throttle import RedisLimits, pace_for

    prefix = redis_storage.key_builder.prefix
    first, second = (RedisLimits(redis_storage.redis, 2, prefix) for _ in range(2))
    pace = pace_for(IVAN, 1, 20, notification=True)
    assert await first.wait(IVAN, pace) == 0
    assert 0.9 < await second.wait(IVAN, pace) <= pace.window  # one chat: a second apart
    assert await second.wait(IVAN + 1, pace) == 0  # another chat, the second send overall
    assert 0.9 < await first.wait(IVAN + 2, pace) <= 1.1  # two a second overall, here
    replies = RedisLimits(redis_storage.redis, 30, f"{prefix}:replies")
    burst = pace_for(IVAN, 1, 20, notification=False)
    assert [await replies.wait(IVAN, burst) for _ in range(3)] == [0, 0, 0]  # a short burst
    assert 2.9 < await replies.wait(IVAN, burst) <= burst.window
