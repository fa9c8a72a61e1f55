"""Delivery failures, split by whether trying again can help."""

from __future__ import annotations


class DeliveryError(Exception):
    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


def transient(message: str) -> DeliveryError:
    return DeliveryError(message, transient=True)


def permanent(message: str) -> DeliveryError:
    return DeliveryError(message, transient=False)
