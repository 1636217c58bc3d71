"""What the tests share: one home for each thing a test needs besides the product.

- ``stores``: versioned stores built from the fixture folders (``build_store``, ``build_mini_store``,
  ``variant_store``), the copy of the shipped dataset, and plain-pandas readers of a store's CSVs;
- ``hostile``: the one hostile dataset (markup and ``javascript:`` links where a steward types text);
- ``pages``: ``run_page`` (one AppTest run of one page) and readers of what a page rendered;
- ``storekinds``: the same test on a data folder and on a PostgreSQL database;
- ``pgserver``: a throw-away PostgreSQL server; ``nettrace``: strace's view of calls leaving the machine.

The fixtures built on them (``mini_store``, ``shipped_copy``, ``any_store``, ``hostile_store``, …) are
in ``tests/conftest.py``.
"""
