"""The Prometheus endpoint of `run --metrics-port`: prometheus_client's HTTP server."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client.registry import CollectorRegistry


class MetricsUnavailable(Exception):
    """The address is not [HOST:]PORT, or nothing can listen there."""


def address(text: str) -> tuple[str, int]:
    """ "9108", ":9108", "127.0.0.1:9108", "[::1]:9108" -> (host, port); all interfaces
    when no host is given, as exporters do: Prometheus scrapes from elsewhere."""
    host, _, port = text.strip().rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise MetricsUnavailable(f"{text!r} is not [HOST:]PORT, e.g. 9108 or 127.0.0.1:9108")
    return host, int(port)


def serve(where: str, registry: CollectorRegistry) -> Callable[[], None]:
    """Serves /metrics on its own thread at once; returns what stops it."""
    # Imported here: only a daemon started with --metrics-port serves metrics.
    from prometheus_client import start_http_server

    host, port = address(where)
    try:
        server, thread = start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        raise MetricsUnavailable(f"cannot listen on {host}:{port}: {error.strerror}") from error

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop
