"""The vurdering service."""
