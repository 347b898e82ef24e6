"""The process's counters, in Prometheus text format at the web server's GET /metrics.

One registry per process, made once at import (Prometheus counters are process-wide by nature: every channel,
the router and the scheduler add to the same ones). Each is incremented at one place:

* updates and handling time: `handlers.router.handle`, for every event of every channel;
* replies: where a channel has delivered a response (Telegram, Zalo, the console);
* status reports: when the transaction holding the status row has committed (`bot.services.reporting`);
* reminders sent / failed: `scheduler.service.ReminderService`, per outbox message;
* rate limited: where a platform's 429 answer is read (the Telegram reply retries and reminder sender, the
  Zalo client), so a 429 the Zalo client absorbs by retrying is counted once, and none twice.

Labels are bounded (channel names, failure reasons): never ids or texts.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The counters of one process, in their own registry (tests may make another)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter("dondoc_updates", "Inbound updates handled (messages, button presses, files).",
                               ["channel"], registry=r)
        self.handling_seconds = Histogram(
            "dondoc_update_handling_seconds", "Time to handle one inbound update (delivery of the reply excluded).",
            ["channel"], registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
        )
        self.replies = Counter("dondoc_replies", "Responses delivered to users.", ["channel"], registry=r)
        self.status_reports = Counter("dondoc_status_reports", "Status reports recorded (committed).",
                                      ["channel"], registry=r)
        self.reminders_sent = Counter("dondoc_reminders_sent", "Outbox messages (reminders, digests, notices) sent.",
                                      ["channel"], registry=r)
        self.reminders_failed = Counter(
            "dondoc_reminders_failed",
            "Outbox messages not sent: reason=unreachable (final), temporary (tried again later), no_account.",
            ["channel", "reason"], registry=r,
        )
        self.rate_limited = Counter("dondoc_rate_limited", "HTTP 429 answers received from a platform's Bot API.",
                                    ["channel"], registry=r)

    def value(self, name: str, **labels: str) -> float:
        """A sample's current value (0 when never set): `value("dondoc_updates_total", channel="zalo")`."""
        return self.registry.get_sample_value(name, labels) or 0.0

    def exposition(self) -> bytes:
        """Every metric in Prometheus text format."""
        return generate_latest(self.registry)


def _process_metrics() -> Metrics:
    disable_created_metrics()  # the *_created series only double what Prometheus knows from the first scrape
    metrics = Metrics()
    # Memory, CPU, open files and garbage collection of this process, as Prometheus' own client shows them.
    ProcessCollector(registry=metrics.registry)
    PlatformCollector(registry=metrics.registry)
    GCCollector(registry=metrics.registry)
    return metrics


METRICS = _process_metrics()
