"""The governor's office scorecard: six domains against their targets (RPJMD).

- ``periods``: period arithmetic, deadlines, the as-of month.
- ``plans``: plan curves of cumulative indicators (``config/plans.yaml``).
- ``judge``: status, target and gap of one value (direction, band, thresholds, plan).
- ``rows``: a row per indicator (latest, changes, sparkline) and the domain score.
- ``lists``: behind target, movers, stale indicators, SKPD data not arrived.
- ``ranking``: kab/kota ordered by performance on one indicator.
- ``build``: ``load_scorecard`` / ``load_ranking``, the only I/O (through
  ``dashboard.store.scorecard_queries``).
"""
