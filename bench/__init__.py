"""pocketcloud's benchmarks: `python -m bench [NAME ...]` runs them and records bench/RESULTS.md.

Each `bench_<name>.py` module measures one thing against a baseline started in
the same run; `harness.py` starts servers and takes the measurements,
`procfs.py` reads a process's CPU time and memory from /proc, and
`results.py` writes the tables with the machine they were taken on.
"""
