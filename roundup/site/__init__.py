"""Articles into the site's structure: items, editions, topics, sources, and the page plan."""
