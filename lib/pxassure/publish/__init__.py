"""Publish: report model → notebook → HTML.

The top layer: the words that describe SPC results (:mod:`~pxassure.publish.vocabulary`),
charts, HTML fragments, nbconvert export, and building a pack with papermill
(:mod:`~pxassure.publish.build`).
"""
