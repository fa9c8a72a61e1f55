"""A wall screen type that exists only in the tests (``tally``: earthquakes in the last
24 hours, counted), written as a new screen type is: its view half in ``view.py``, its
layout half in ``layout.py``, and one registration on each side (``registered`` in
``tests/test_wall_screen_registry.py`` does it for the length of a test)."""
