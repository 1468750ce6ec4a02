"""`roundup import`'s readers: each export format read into entries, then into article files."""
