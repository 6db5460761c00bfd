"""The beslutning service."""
