"""Publish: report model → HTML and PDF, the presentation layer.

The words that describe SPC results (:mod:`~pxassure.publish.vocabulary`), the look of the
papers (:mod:`~pxassure.publish.style`), charts, HTML fragments, pages, nbconvert export,
Chromium printing and the board pack's contents. Running notebooks and building a pack is
the execution layer above it (:mod:`pxassure.execution`).
"""
