"""The benchmark: `python bench/run.py` builds synthetic archives with papers and with Hugo and reports the figures."""
