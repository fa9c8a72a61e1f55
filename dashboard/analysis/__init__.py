"""Analysis for the analyst pages: pure functions over small frames, no I/O.

- ``periods``: grain arithmetic (bucket starts, steps, how many sub-periods a bucket holds).
- ``rules``: how an indicator adds up over regions and over time.
- ``aggregate``: province derived from its kab/kota; completeness of coarser buckets.
- ``yoy``: year-on-year change that leaves gaps as gaps.
- ``ranking``: regions ranked by the indicator's direction.
- ``figures``, ``cartogram``, ``choropleth``, ``sparkline``: what the pages draw.
- ``export``: the data table as an Excel workbook.
"""
