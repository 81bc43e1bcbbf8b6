"""Sources beyond pasted digests: arXiv's API (arxiv.py, the client and its cache) and the
queries the atlas watches there (watch.py, `atlas fetch`)."""
