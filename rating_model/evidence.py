"""How many rows a measurement of a model must rest on before anyone may read it as evidence.

One number for two readers: the model card says its holdout metrics cannot be read below it, and the
promotion gate (``service.records.comparisons``) does not count a comparison below it, so a card never
calls metrics readable on fewer rows than a promotion may rest on. It lives apart from the model card,
which imports pandas, because the gate sits on the serving path, which must load without pandas or pyarrow
(tests/service/test_worker_footprint.py).
"""

from __future__ import annotations

#: Fewer holdout rows than this and the card says its holdout metrics cannot be read, and a comparison is no
#: evidence for a promotion. A 30-row file had trained a card declaring AUC 1.0 and KS 1.0, measured on 4
#: holdout rows, with nothing saying so.
HOLDOUT_MIN_ROWS = 1000
