"""The soknad service."""
