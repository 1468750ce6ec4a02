"""`roundup serve`: a local server that rebuilds on save and reloads open pages."""
