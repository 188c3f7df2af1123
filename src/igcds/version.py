"""The igcds software version (the knowledge-base version is stamped separately)."""

__version__ = "0.1.0"
