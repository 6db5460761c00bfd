"""Webhooks for HTTP-only integrators: endpoints, signed deliveries with retries, and their log."""
