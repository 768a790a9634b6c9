"""Portfolio jobs: loan books rated in the background on an RQ queue, with the portfolio summary."""
