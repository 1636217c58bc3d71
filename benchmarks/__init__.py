"""Performance benchmarks: ``.venv/bin/python -m benchmarks.run [--quick]`` (see docs/performance.md)."""
