"""Lambda execution environments: real child processes speaking AWS's Runtime API.

    pool.py         environments of one function version: reuse, concurrency, reaping
    environment.py  one environment: its process, its Runtime API listener, the deadline
    runtime_api.py  the per-environment HTTP listener (/2018-06-01/runtime/...)
    runtimes.py     how each runtime (python, nodejs, provided) is started
    bootstrap/      the in-process side for runtimes we bring ourselves
"""
