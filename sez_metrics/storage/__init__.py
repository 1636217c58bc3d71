"""Where versions live: the folder and PostgreSQL stores behind one interface, publishing, copying.

Versions are immutable and hash-chained; ``store.open_store`` picks the store ``SEZ_STORE`` names.
"""
