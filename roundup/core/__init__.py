"""Foundations every layer uses: errors, settings, the article model, dates, slugs, links."""
