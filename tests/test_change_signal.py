"""The data-version change signal, against a real Redis and with Redis gone."""

import redis

from dashboard.versions import REDIS_KEY, ChangeSignal, bump, read_from_store

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_bump_counts_per_scope_and_overall(engine):
    with engine.begin() as conn:
        bump(conn, ["domain:living"])
    with engine.begin() as conn:
        bump(conn, ["domain:living", "domain:economy"])
    assert read_from_store(engine) == {"all": 2, "domain:living": 2, "domain:economy": 1}


def test_without_redis_versions_come_from_the_store(engine):
    with engine.begin() as conn:
        bump(conn, ["domain:living"])
    assert ChangeSignal(engine, None).current() == {"all": 1, "domain:living": 1}


def test_publish_mirrors_to_redis_and_notifies(engine, redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    pubsub = client.pubsub()
    pubsub.subscribe("odsk:data-changed")
    pubsub.get_message(timeout=1)  # subscription confirmation
    with engine.begin() as conn:
        bump(conn, ["domain:society"])
    ChangeSignal(engine, redis_url).publish()
    assert client.hgetall(REDIS_KEY) == {"all": "1", "domain:society": "1"}
    assert 0 < client.ttl(REDIS_KEY) <= 30  # a missed publish heals itself
    message = pubsub.get_message(timeout=2)
    assert message and message["data"] == "1"


def test_current_reads_the_redis_mirror_first(engine, redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.hset(REDIS_KEY, mapping={"all": 7})
    assert ChangeSignal(engine, redis_url).current() == {"all": 7}


def test_redis_down_falls_back_to_the_store(engine):
    with engine.begin() as conn:
        bump(conn, ["domain:living"])
    signal = ChangeSignal(engine, DEAD_REDIS)
    assert signal.current() == {"all": 1, "domain:living": 1}
    assert signal.publish() == {"all": 1, "domain:living": 1}  # no exception either
