"""Sources → validated tables in the store.

The first layer of pxassure's one-way flow. Everything that reads a trust's data —
CSV and Excel layouts, NHS England FFT files, framework self-assessment workbooks, SQL
warehouses, the demo trust — checks it against :mod:`~pxassure.ingest.schema` and writes
it to the DuckDB :mod:`~pxassure.ingest.store` in one transaction. Nothing here imports
from the layers above (analysis, reports, publish).
"""
