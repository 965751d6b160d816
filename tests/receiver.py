"""A real local webhook receiver for the [notify] tests: a threaded http.server on
127.0.0.1 that records every POST and answers as the test says (a status per request,
or a stall that holds the request unanswered, as a chat service that hangs would)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STALL = -1  # in `script`: hold this request until release()


@dataclass(frozen=True)
class Arrival:
    """One request as it arrived."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what it was answered (STALL: not answered)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers 2xx (`ok`) unless `script` has statuses left; every arrival is recorded."""

    ok: int = 200
    script: list[int] = field(default_factory=list)
    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def url(self, path: str = "/webhook/T0001/B0002/s3cr3t-t0k3n") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def next_status(self) -> int:
        with self.lock:
            return self.script.pop(0) if self.script else self.ok

    def record(self, arrival: Arrival) -> None:
        with self.arrived:
            self.arrivals.append(arrival)
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Until `count` requests have arrived (answered or not)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.arrivals) >= count, timeout)

    def accepted(self) -> list[Arrival]:
        return [a for a in self.arrivals if 200 <= a.status < 300]

    def release(self) -> None:
        self.released.set()


def start(receiver: Receiver, port: int = 0) -> Receiver:
    """Serves `receiver` on 127.0.0.1 (`port` 0: any free one) in a daemon thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status = receiver.next_status()
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.record(Arrival(self.path, headers, body, status))
            if status == STALL:
                receiver.released.wait(60)
                return  # the connection closes unanswered
            self.send_response(status)
            answer = b"ok" if status < 300 else b"invalid_token"
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    receiver.server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver


def stop(receiver: Receiver) -> None:
    receiver.release()
    if receiver.server is not None:
        receiver.server.shutdown()
        receiver.server.server_close()


def serving(receiver: Receiver | None = None) -> Iterator[Receiver]:
    """For a fixture: a started receiver, stopped afterwards."""
    started = start(receiver or Receiver())
    try:
        yield started
    finally:
        stop(started)
