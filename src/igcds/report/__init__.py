"""Assessment -> JSON (the public contract) and terminal text."""
