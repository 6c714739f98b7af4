"""One logging setup for every service: JSON lines (or text in development) on stderr, each
carrying the request id and the current trace and span ids.

JSON fields: `time` (UTC, ISO 8601), `level`, `logger`, `message`, `service`, then
`request_id`, `trace_id`, `span_id` when known, `exception` (the traceback) when there is one,
and any `extra={…}` the call passed. uvicorn's access lines add `client`, `method`, `path`
(never the query string: it can carry personal data) and `status`; httpx's per-request INFO
lines (full URLs) are not written.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from clinic_platform.request_context import current_request_id
from clinic_platform.settings import ServiceSettings

TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s trace_id=%(trace_id)s] "
    "%(message)s"
)
ACCESS_LOGGER = "uvicorn.access"
# Attributes every LogRecord has; anything else on a record came from `extra={…}`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "trace_id",
    "span_id",
    "service",
    "http",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}


class ContextFilter(logging.Filter):
    """Stamps each record with the service, request id and trace context of its moment."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = current_request_id()
        context = trace.get_current_span().get_span_context()
        valid = context.is_valid
        record.trace_id = format(context.trace_id, "032x") if valid else None
        record.span_id = format(context.span_id, "016x") if valid else None
        if record.name == ACCESS_LOGGER:
            _structure_access_line(record)
        return True


def _structure_access_line(record: logging.LogRecord) -> None:
    # uvicorn logs '%s - "%s %s HTTP/%s" %d' with (client, method, path?query, version, status).
    args = record.args
    if not isinstance(args, tuple) or len(args) != 5 or not isinstance(args[2], str):
        return
    client, method, target, version, status = args
    path = str(target).split("?", 1)[0]
    record.args = (client, method, path, version, status)
    record.http = {"client": client, "method": method, "path": path, "status": status}


class TextFormatter(logging.Formatter):
    """Human-readable lines for development; `-` where no request or trace is current."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        values = {**vars(record)}
        for key in ("request_id", "trace_id"):
            values[key] = values.get(key) or "-"
        return self._style._fmt % values


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": getattr(record, "service", None),
        }
        for key in ("request_id", "trace_id", "span_id"):
            if (value := getattr(record, key, None)) is not None:
                line[key] = value
        line.update(getattr(record, "http", None) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        return json.dumps(line, default=str, ensure_ascii=False)


def setup_logging(settings: ServiceSettings) -> logging.Handler:
    """Replace the root logger's handlers with one stderr handler in the configured format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter(settings.service_name))
    if settings.effective_log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # uvicorn's loggers must reach the root handler, not print on their own.
    for name in ("uvicorn", "uvicorn.error", ACCESS_LOGGER):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # httpx logs every outgoing URL, query string included, at INFO: client spans cover calls.
    logging.getLogger("httpx").setLevel(max(root.level, logging.WARNING))
    return handler
