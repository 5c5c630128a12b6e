package wc_test

import (
	"errors"
	"testing"

	"wc"
)

func TestCountsWordsSeparatedByAnyWhitespace(t *testing.T) {
	n, err := wc.CountWords("one two\tthree\n four")
	if err != nil || n != 4 {
		t.Fatalf("got %d, %v; want 4, nil", n, err)
	}
}

func TestSingleWord(t *testing.T) {
	n, err := wc.CountWords("word")
	if err != nil || n != 1 {
		t.Fatalf("got %d, %v; want 1, nil", n, err)
	}
}

func TestEmptyTextIsAnError(t *testing.T) {
	_, err := wc.CountWords("")
	if !errors.Is(err, wc.ErrEmpty) {
		t.Fatalf("got %v; want ErrEmpty", err)
	}
	if err.Error() != "wc: empty text" {
		t.Fatalf("message %q", err.Error())
	}
}
