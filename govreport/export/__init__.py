"""Exports of records: JSON, JSON Lines and CSV (``json_csv``), an Excel workbook (``xlsx``), a Parquet
dataset (``parquet``). The SQLite corpus of a batch is written by ``govreport.batch.store``.

``from govreport import export; export.write(records, stream, "csv")`` writes the text formats;
``write_xlsx`` and ``ParquetDataset`` are importable from here too (pandas, openpyxl and pyarrow load on
first use).
"""

from __future__ import annotations

from .json_csv import (
    FORMATS,
    LONG_COLUMNS,
    WIDE_HEAD,
    WIDE_TAIL,
    CellKey,
    Record,
    cell_keys,
    derived_keys,
    long_frame,
    wide_frame,
    write,
    zh_headers,
)
from .parquet import ParquetDataset, cell_column, done_in, wide_cells
from .xlsx import write_xlsx

__all__ = [
    "FORMATS", "LONG_COLUMNS", "WIDE_HEAD", "WIDE_TAIL", "CellKey", "Record", "cell_keys", "derived_keys",
    "long_frame", "wide_frame", "write", "zh_headers", "ParquetDataset", "cell_column", "done_in", "wide_cells",
    "write_xlsx",
]
