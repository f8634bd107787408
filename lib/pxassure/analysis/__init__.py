"""Analysis: pure functions on DataFrames.

The second layer: SPC (:mod:`~pxassure.analysis.spc`, with its options in
:mod:`~pxassure.analysis.options`), trend tests, funnel plots, the measure registry
(:mod:`~pxassure.analysis.measures`), framework score analysis, small-number suppression
and comment redaction. No database access, no presentation: the words and charts that
show these results live in :mod:`pxassure.publish`.
"""
