"""Integration tests run against the real PostgreSQL and RabbitMQ of this machine."""

from tests.support.rabbit import rabbit_users, rabbit_vhost_url  # noqa: F401
from tests.support.rabbit_node import rabbit_node  # noqa: F401
