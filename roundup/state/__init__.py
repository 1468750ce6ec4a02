"""The cache folder and the output folder: staged writes, ownership records, locks."""
