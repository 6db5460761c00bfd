"""Fixtures shared by every layer of tests."""

from tests.support.oidc_issuer import oidc_issuer
from tests.support.postgres import pg_url
from tests.support.rabbit import rabbit_vhost_url

__all__ = ["oidc_issuer", "pg_url", "rabbit_vhost_url"]
