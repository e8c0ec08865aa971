"""factread's core: articles, annotations, the store, export, review. No UI in here."""

__version__ = "0.1.0"
