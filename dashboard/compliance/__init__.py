"""SKPD data compliance: the delivery rules (``rules``)."""
