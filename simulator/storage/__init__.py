"""Storage: one SQLite file, written through `Store`."""

from simulator.storage.store import NotAnExport, NotInStore, Store, StoreError

__all__ = ["NotAnExport", "NotInStore", "Store", "StoreError"]
