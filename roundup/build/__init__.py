"""The build pipeline: config, articles, site, rendering and output, incrementally."""
