"""Alerts: rules (catalogue thresholds, custom series rules, staleness, failing
collectors, earthquakes), their evaluation, and the firing → acknowledged → resolved
lifecycle. ``active_critical(engine)`` is what may take over the wall."""

from dashboard.alerts.lifecycle import acknowledge, active_critical

__all__ = ["acknowledge", "active_critical"]
