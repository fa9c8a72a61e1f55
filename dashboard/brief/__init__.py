"""The exceptions brief: what is behind, what moved, what is stale, who has not delivered.

- ``narrative``: the brief as sentences with their numbers (Bahasa Indonesia / English).
- ``charts``: PNG charts (matplotlib, Agg; no browser, no network).
- ``pdf``: the brief as a PDF (reportlab, fonts embedded from matplotlib's DejaVu).
- ``excel``: the scorecard as an openpyxl workbook.
- ``archive``: weekly briefs under ``data_dir/briefs`` and the scheduler job.
"""
