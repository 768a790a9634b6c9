"""Files and worker processes around the engine: loan books on one machine or on Spark, and training data.

``greenrate batch`` (:mod:`service.batch.cli`), the portfolio jobs and the Spark job read and write books
here; ``greenrate model`` and ``python -m rating_model.train`` (:mod:`service.batch.train`) read and write
flat training files here (:mod:`service.batch.flat_files`); the worker processes of both are started here
(:mod:`service.batch.workers`). The engine's own part (rating a chunk, typing its columns, measuring a
training frame, what a worker or a Spark task runs) is pure computation in :mod:`rating_model.batch`,
:mod:`rating_model.book_chunks`, :mod:`rating_model.indicator_batch` and :mod:`rating_model.spark_tasks`,
so that worker processes import the engine and never this package.

Nothing is imported here: the web workers import :mod:`service` without pandas or pyarrow.
"""
