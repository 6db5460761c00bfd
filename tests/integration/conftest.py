"""Integration tests run against the real PostgreSQL and RabbitMQ of this machine (markers say which;
tests that run on SQLite as well carry the marker only in their PostgreSQL variant)."""

from tests.support.rabbit import rabbit_users, rabbit_vhost_url  # noqa: F401
from tests.support.rabbit_node import rabbit_node  # noqa: F401
from tests.support.webhook_receiver import receiver  # noqa: F401
