"""roundup: a static site generator for curated link roundups."""

__version__ = "0.1.0"
