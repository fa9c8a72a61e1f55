"""Dash pages (``use_pages``): Dash imports every module here that declares a page.

A page module may define ``register_callbacks(app)``; ``dashboard.webapp.create_app``
calls it so callbacks belong to one app rather than to Dash's global list.
"""
