"""The platform every service runs on: runtime, settings, auth, bus, db, outbox, web, observability."""
