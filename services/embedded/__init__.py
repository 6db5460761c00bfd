"""Composition root of the embedded default: all five services in one process."""
