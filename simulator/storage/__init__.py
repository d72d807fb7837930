"""Storage: one SQLite file, written through `Store`."""

from simulator.storage.store import Store, StoreError

__all__ = ["Store", "StoreError"]
