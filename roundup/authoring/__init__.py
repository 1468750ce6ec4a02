"""Writing article files and new sites: `roundup new`, `roundup import`, `roundup init`."""
