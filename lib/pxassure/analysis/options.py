"""SPC rule options: one frozen, validated object, built once from a preset plus overrides.

Modelled on NHSRplotthedots' ``ptd_spc_options()``: every option is checked when the
object is made, so the SPC engine, the report models and the method note all use the same
values and none of them validates again. Plain Python, no numpy: building a pack checks
its parameters with this module without importing the statistics stack.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from pxassure.errors import SPCOptionsError

#: The two rule sets. ``mdc`` is NHS England's current Making Data Count tools; ``ptd`` is
#: exact parity with NHSRplotthedots 0.2.2. Any option may be overridden on its own.
PRESETS: dict[str, dict[str, Any]] = {
    "mdc": {
        "screen_outliers": False,
        "shift_length": 7,
        "trend_length": 7,
        "two_of_three": "beyond_2_sigma",
        "trend_colour": "direction",
        "minimum_points": 13,
        "minimum_denominator": 5,
        "xmr_constant": "mdc",
    },
    "ptd": {
        "screen_outliers": True,
        "shift_length": 7,
        "trend_length": 7,
        "two_of_three": "between_2_and_3_sigma",
        "trend_colour": "direction",
        "minimum_points": 13,
        "minimum_denominator": 5,
        "xmr_constant": "mdc",
    },
}

#: Allowed values of each option (``minimum_points``: any whole number of at least 2).
CHOICES: dict[str, tuple] = {
    "screen_outliers": (True, False),
    "shift_length": (6, 7, 8, 9),
    "trend_length": (6, 7),
    "two_of_three": ("beyond_2_sigma", "between_2_and_3_sigma"),
    "trend_colour": ("direction", "side_of_mean"),
    # XmR limits at 2.66 × the mean moving range (MDC's published figure) or 3 / 1.128 (d2, as
    # qicharts2 and PowerBI-SPC): choose "d2" for exact parity with those tools
    "xmr_constant": ("mdc", "d2"),
}

#: Options a report parameter may override (the others come with the preset).
REPORT_OVERRIDES = ("shift_length", "trend_length", "minimum_points", "minimum_denominator")


def _whole(value: Any) -> bool:
    return not isinstance(value, bool) and hasattr(value, "__index__")


@dataclass(frozen=True)
class SPCOptions:
    """Every rule option of one SPC run. Build with :meth:`from_preset`; invalid values raise."""

    preset: str = "mdc"
    screen_outliers: bool = False
    shift_length: int = 7
    trend_length: int = 7
    two_of_three: str = "beyond_2_sigma"
    trend_colour: str = "direction"
    minimum_points: int = 13
    # In p, p′, u and u′ charts a month whose denominator (FFT responses …) is below this is drawn
    # hollow and left out of the centre, limits and rules: a single response can never make or
    # complete a signal. 5 matches NHS England's suppression of 1 to 4 responses; 0 turns it off.
    minimum_denominator: int = 5
    xmr_constant: str = "mdc"  # "mdc": 2.66; "d2": 3 / 1.128 (see CHOICES)

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise SPCOptionsError(f"unknown SPC preset {self.preset!r}: expected one of {sorted(PRESETS)}")
        if not _whole(self.minimum_points) or self.minimum_points < 2:
            raise SPCOptionsError(f"SPC option minimum_points must be a whole number ≥ 2, got {self.minimum_points!r}")
        if not _whole(self.minimum_denominator) or self.minimum_denominator < 0:
            raise SPCOptionsError(
                f"SPC option minimum_denominator must be a whole number ≥ 0, got {self.minimum_denominator!r}"
            )
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            is_flag = name == "screen_outliers"
            if (is_flag and type(value).__name__ not in ("bool", "bool_")) or (not is_flag and not _in(value, allowed)):
                raise SPCOptionsError(f"SPC option {name}={value!r} is not allowed: expected one of {list(allowed)}")
        # numpy integers and booleans become plain ones, so options compare and serialise simply
        for name in ("shift_length", "trend_length", "minimum_points", "minimum_denominator"):
            object.__setattr__(self, name, int(getattr(self, name)))
        object.__setattr__(self, "screen_outliers", bool(self.screen_outliers))

    @classmethod
    def from_preset(cls, preset: str = "mdc", **overrides: Any) -> SPCOptions:
        """The preset's options with ``overrides`` applied (``None`` keeps the preset's value)."""
        if preset not in PRESETS:
            raise SPCOptionsError(f"unknown SPC preset {preset!r}: expected one of {sorted(PRESETS)}")
        names = {f.name for f in fields(cls)} - {"preset"}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise SPCOptionsError(f"unknown SPC option {unknown[0]!r}: expected one of {sorted(names)}")
        given = {k: v for k, v in overrides.items() if v is not None}
        return cls(preset=preset, **{**PRESETS[preset], **given})

    def with_overrides(self, **overrides: Any) -> SPCOptions:
        """A copy with some options changed (validated again, as a new object)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def overrides(self) -> dict[str, Any]:
        """Options that differ from the preset: what a reviewer must pass to reproduce a run."""
        base = PRESETS[self.preset]
        return {k: v for k, v in self.as_dict().items() if k != "preset" and base[k] != v}

    def as_dict(self) -> dict[str, Any]:
        """Every option by name (JSON-safe), the preset first."""
        return asdict(self)


def _in(value: Any, allowed: tuple) -> bool:
    try:
        return value in allowed and not isinstance(value, bool)
    except TypeError:  # unhashable or incomparable: certainly not allowed
        return False


DEFAULT = SPCOptions.from_preset("mdc")


def resolve(options: SPCOptions | None = None, preset: str | None = None, **overrides: Any) -> SPCOptions:
    """The options a chart uses: ``options`` as given, or built from ``preset`` and ``overrides``.

    Giving both an options object and a preset or overrides is ambiguous, and an error.
    """
    if options is not None:
        if preset is not None or overrides:
            raise SPCOptionsError("pass either an SPCOptions object or a preset with overrides, not both")
        if not isinstance(options, SPCOptions):
            raise SPCOptionsError(f"options must be an SPCOptions (see SPCOptions.from_preset), got {options!r}")
        return options
    return SPCOptions.from_preset(preset or "mdc", **overrides)
