import pytest

from duration import format_duration, parse_duration


def test_parse_hours_and_minutes():
    assert parse_duration("1h30m") == 5400


def test_parse_seconds():
    assert parse_duration("45s") == 45


def test_parse_all_units():
    assert parse_duration("2h3m4s") == 7384


def test_parse_empty_is_an_error():
    with pytest.raises(ValueError, match="empty duration"):
        parse_duration("")


def test_parse_unknown_unit():
    with pytest.raises(ValueError, match="unknown unit"):
        parse_duration("3d")


def test_format():
    assert format_duration(3725) == "1h 2m 5s"


def test_format_zero():
    assert format_duration(0) == "0s"
