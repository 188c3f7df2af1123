"""Where the service keeps its state (card feedback, token ids seen): one SQLite file in the
platform's user data folder unless the settings name one, never the working folder (it would end up
in a checkout). Every worker process opens the same file, so replay protection holds across them."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

STATE_FILE = "igcds-service.sqlite"


def user_data_dir() -> Path:
    """XDG on Linux and the BSDs, Application Support on macOS, LOCALAPPDATA on Windows."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "igcds"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "igcds"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "igcds"


def default_state_path() -> Path:
    return user_data_dir() / STATE_FILE


def open_database(path: str | Path) -> sqlite3.Connection:
    """A connection shared by the threads of one worker (callers hold their own lock); WAL so that
    workers reading and writing at once wait for each other briefly instead of failing."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0, isolation_level=None)
    if str(path) != ":memory:":
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    return connection
