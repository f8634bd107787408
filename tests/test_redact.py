"""Personal details are removed from patient comments."""

import pytest

from pxassure.analysis.redact import redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Nurse Priya was lovely", "Nurse [name] was lovely"),
        ("Dr. Jones and Mr Patel-Shah helped", "Dr. [name] and Mr [name] helped"),
        ("my name is Alice Smith.", "my name is [name]."),
        ("Called Bob about it", "Called [name] about it"),
        ("ring 07700 900123 or 0161 496 0000", "ring [phone] or [phone]"),
        ("+44 20 7946 0958 and +44 (0)7700 900 123", "[phone] and [phone]"),
        (
            "NHS number 943 476 5919 / 9434765919 / 943-476-5919",
            "NHS number [NHS number] / [NHS number] / [NHS number]",
        ),
        ("write to jo.bloggs+x@example.co.uk", "write to [email]"),
        ("I live at M1 1AE or sw1a 1aa", "I live at [postcode] or [postcode]"),
    ],
)
def test_personal_details_removed(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Waited 3 hours in bay 12 on 12/03.",
        "The Matron was kind and the food was good.",
        "Ward 7 was clean.",
    ],
)
def test_ordinary_text_untouched(text):
    assert redact(text) == text


def test_missing_text():
    assert redact(None) == ""
