"""Statement spans: offsets, line and quoted text a reviewer can check."""

from taskaudit.spec.statement import find_word, sentences

TEXT = "# Title\n\nCall `encode(text)` to encode.\nA digit raises `ValueError`.\n"


def test_find_word_gives_offsets_line_and_the_quoted_line():
    found = find_word(TEXT, "encode")
    assert found is not None
    assert TEXT[found.start:found.end] == "encode"
    assert found.line == 3 and found.text == "Call `encode(text)` to encode."


def test_find_word_is_whole_word_and_case_sensitive():
    assert find_word(TEXT, "code") is None
    assert find_word(TEXT, "Encode") is None
    assert find_word(TEXT, "ValueError").line == 4


def test_sentences_skip_fenced_code():
    text = "Return the sum.\n```\nreturn a + b.\n```\nRaise on overflow."
    assert [s.text for s in sentences(text)] == ["Return the sum.", "Raise on overflow."]
