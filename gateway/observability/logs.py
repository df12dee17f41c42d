"""Log lines that name their request: a request id in a context variable, a filter that puts
it on every record, and the logging configuration ``credgate serve`` installs (JSON lines or
text)."""

from __future__ import annotations

import logging
import logging.config
import re
from contextvars import ContextVar
from enum import StrEnum
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

# The id of the request being answered; each request runs in a task (and its worker threads)
# with its own copy of the context, so this never leaks between requests.
REQUEST_ID: ContextVar[str | None] = ContextVar("credgate_request_id", default=None)

# An incoming X-Request-ID is taken only when it is short and plain (it goes into every log
# line and back into a response header); anything else is replaced by a generated id.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class LogFormat(StrEnum):
    json = "json"
    text = "text"


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` (``-`` outside a request) on every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


def logging_config(log_format: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the gateway and uvicorn: every line on stderr, with
    the request id; ``json`` writes one JSON object per line."""
    if log_format is LogFormat.json:
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # uvicorn adds a colourised copy of its message; drop it
            "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
        }
    else:
        formatter = {"format": TEXT_FORMAT}
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # uvicorn's loggers propagate to the root handler instead of their own
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": level, "propagate": True},
        },
    }


def configure_logging(log_format: LogFormat, level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(log_format, level))
