import pytest

from rle import decode, encode


def test_encode_mixed_runs():
    assert encode("aaabcc") == "3a1b2c"


def test_encode_single_characters():
    assert encode("abc") == "1a1b1c"


def test_encode_empty():
    assert encode("") == ""


def test_encode_long_run_uses_several_digits():
    assert encode("x" * 12) == "12x"
    assert encode("y" * 100 + "z") == "100y1z"


def test_encode_runs_are_maximal():
    assert encode("aaaa") == "4a"


def test_encode_rejects_digits():
    with pytest.raises(ValueError):
        encode("ab3")


def test_decode_examples():
    assert decode("3a1b2c") == "aaabcc"
    assert decode("") == ""


def test_decode_multi_digit_count():
    assert decode("12x") == "x" * 12


@pytest.mark.parametrize("text", ["a", "zzzzzzzzzzzz", "ab ba", "  ", "\u00e9\u00e9e", "mississippi"])
def test_roundtrip(text):
    assert decode(encode(text)) == text


@pytest.mark.parametrize("data", ["a", "3", "3a2", "0a", "a3", "a3b"])
def test_decode_rejects_malformed(data):
    with pytest.raises(ValueError):
        decode(data)
