"""pxassure: patient-experience governance assurance for NHS trusts.

Data flows one way: sources → validated tables in the store → analysis (pure functions
on DataFrames) → per-committee report model → notebook → HTML.
"""

__version__ = "0.1.0"
