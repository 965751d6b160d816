"""Log lines: text for a person (the default), or `--log-format json`: one JSON object per
line with stable field names, for journald, Loki, Elasticsearch and the like.

Every line has `time` (ISO-8601 UTC), `level`, `logger` and `message` (the text line's
words). Lines about one thing also carry `event` and that event's fields:

- `message_handled`: `mailbox`, `folder`, `uid` (null for `ingest`), `outcome`
  (processed, rejected, ignored, failed), `ticket` (e.g. "MB-1", or null), `reason`
  (a sentence) and `reasons` (the rejection's reason codes, else []);
- `mail_sent`: `ticket` (or null), `kind` (the template), `recipients` (a list),
  `message_id`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Where a record keeps its event's fields (the `extra` of logging calls).
FIELDS = "mailbaton_fields"


def event(logger: logging.Logger, name: str, text: str, **fields: Any) -> None:
    """One INFO line: `text` for people, `name` and `fields` for machines."""
    logger.info(text, extra={FIELDS: {"event": name, **fields}})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, FIELDS, {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def setup(level: int, form: str = "text") -> None:
    """Logging to stderr (journald keeps it under systemd), in `form`. Like basicConfig,
    it leaves alone a logging set up by someone else (a test harness, an embedding app)."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, FIELDS, False)]
    if root.handlers and not ours:
        return
    for old in ours:
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if form == "json" else logging.Formatter(TEXT_FORMAT))
    setattr(handler, FIELDS, True)
    root.addHandler(handler)
    root.setLevel(level)
