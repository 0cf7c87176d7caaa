"""The ASGI gateway: one app on :4566 that runs every request through the chain of DESIGN.md."""
