"""Prepared view data: plain dataclasses built from query results, ready for a layout to draw.

Pure functions (catalogue + query results + now + language in, view objects out), so
what a page shows is tested without a browser; a thin ``load_*`` per view does the I/O.
"""
