"""Collector kinds: each splits into ``fetch`` (I/O only) and ``parse`` (pure)."""
