"""The service's log lines: on stderr, and in insecure development mode every one of them (uvicorn's
included) says so."""

from __future__ import annotations

import logging
from typing import Any

DEV_WARNING = "INSECURE DEV MODE: client JWTs are not verified"


class DevModeFilter(logging.Filter):
    """Prefixes every log line of the service, so insecure mode is never silent."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = f"[{DEV_WARNING}] {record.msg}"
        return True


def log_config(insecure_dev: bool) -> dict[str, Any]:
    """uvicorn's and igcds' log lines on stderr; in insecure mode uvicorn's lines carry the warning
    too (igcds' own lines get it from DevModeFilter)."""
    prefix = f"[{DEV_WARNING}] " if insecure_dev else ""
    line = "%(asctime)s %(levelname)s %(name)s "
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "server": {"format": line + prefix + "%(message)s"},
            "service": {"format": line + "%(message)s"},
        },
        "handlers": {"server": handler | {"formatter": "server"}, "service": handler | {"formatter": "service"}},
        "loggers": {
            "uvicorn": {"handlers": ["server"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "igcds": {"handlers": ["service"], "level": "INFO", "propagate": False},
        },
    }
