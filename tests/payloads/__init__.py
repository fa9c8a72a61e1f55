"""Recorded payloads of every collector kind, and the helpers their tests share (kit.py)."""
