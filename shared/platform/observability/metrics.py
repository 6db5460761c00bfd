"""Prometheus metrics per service, on a registry of its own (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class ServiceMetrics:
    def __init__(self, service: str):
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ["service"]
        self.requests = Counter(
            "sp_http_requests",
            "HTTP requests",
            [*labels, "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "sp_http_request_seconds",
            "HTTP request latency",
            [*labels, "method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.events_published = Counter(
            "sp_events_published", "Events published", [*labels, "type"], registry=self.registry
        )
        self.events_consumed = Counter(
            "sp_events_consumed", "Events consumed", [*labels, "type"], registry=self.registry
        )
        self.events_failed = Counter(
            "sp_events_failed", "Event handler failures", [*labels, "type"], registry=self.registry
        )
        self.dead_letters = Counter(
            "sp_dead_letters",
            "Messages sent to a dead-letter queue",
            [*labels, "queue"],
            registry=self.registry,
        )
        self.outbox_backlog = Gauge(
            "sp_outbox_backlog", "Outbox rows not yet published", labels, registry=self.registry
        )
        self.dead_letter_depth = Gauge(
            "sp_dead_letter_depth",
            "Messages waiting in dead-letter queues",
            [*labels, "queue"],
            registry=self.registry,
        )

    # BusMetrics protocol
    def published(self, event_type: str) -> None:
        self.events_published.labels(self.service, event_type).inc()

    def consumed(self, event_type: str) -> None:
        self.events_consumed.labels(self.service, event_type).inc()

    def failed(self, event_type: str) -> None:
        self.events_failed.labels(self.service, event_type).inc()

    def dead_lettered(self, queue: str) -> None:
        self.dead_letters.labels(self.service, queue).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
