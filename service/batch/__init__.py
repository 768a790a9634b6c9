"""Loan books as files, on one machine or on Spark: the I/O around :mod:`rating_model.batch`.

``greenrate batch`` (:mod:`service.batch.cli`), the portfolio jobs and the Spark job read and write books
here; the engine's own part (rating a chunk, typing its columns, what a worker or a Spark task runs) is pure
computation in :mod:`rating_model.batch`, :mod:`rating_model.book_chunks` and
:mod:`rating_model.spark_tasks`, so that worker processes import the engine and never this package.

Nothing is imported here: the web workers import :mod:`service` without pandas or pyarrow.
"""
