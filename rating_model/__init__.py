"""greenrate's rating engine: GHG inventory, green evaluation standard and transparent scorecard.

Pure computation over packaged data files: no Flask, Redis or database. The serving path imports numpy
and the standard library only; scikit-learn is needed for training (:mod:`rating_model.scorecard`).
"""
