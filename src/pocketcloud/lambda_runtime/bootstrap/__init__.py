"""Runtime-side programs, run inside execution environments (standard library only)."""
