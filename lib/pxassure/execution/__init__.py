"""Execution: planning, running and caching a pack of reports — jobs and their content keys
(:mod:`.planning`, :mod:`.freshness`), one report run and exported (:mod:`.execute`), runners by name
(:mod:`.runners`: this machine's process pool, :mod:`.pool`, or a Dask cluster, :mod:`.cluster`),
the kernels reports run in (:mod:`.kernels`, :mod:`.zygote`, :mod:`.kernelspec`) and the pack's
build (:mod:`.build`). It sits above presentation (:mod:`pxassure.publish`), which knows nothing of it.
"""
