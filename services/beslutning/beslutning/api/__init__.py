"""JSON API of the beslutning service (thin: every route calls one use case)."""

from beslutning.api import fakturering, fraser, saker, statistikk

routers = [saker.router, fakturering.router, fraser.router, statistikk.router]
