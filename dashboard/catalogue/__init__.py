"""The catalogue: YAML files in ``config/`` that drive collectors and pages alike."""

from dashboard.catalogue.loader import CatalogueError, ConfigIssue, load_catalogue
from dashboard.catalogue.models import Catalogue

__all__ = ["Catalogue", "CatalogueError", "ConfigIssue", "load_catalogue"]
