"""Eval suites for QA: load a suite, run it through the same pipeline the app uses, score the
drafts against each case's expectations and the suite's thresholds, write reports, compare
with a baseline."""
