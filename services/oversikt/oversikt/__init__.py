"""The oversikt service."""
