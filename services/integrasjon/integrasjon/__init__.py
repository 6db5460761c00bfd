"""The integrasjon service."""
