"""Benchmarks: `python -m bench` measures mailbaton's throughput against the raw libraries
(see bench/README.md); escalation_latency.py and replies.py are scripts of their own."""
