"""The page plan into bytes: Jinja templates, feeds, sitemaps and the search index."""
