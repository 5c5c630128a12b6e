package rle_test

import (
	"errors"
	"strings"
	"testing"

	"rle"
)

func encodeOK(t *testing.T, text string) string {
	t.Helper()
	got, err := rle.Encode(text)
	if err != nil {
		t.Fatalf("Encode(%q) returned error %v", text, err)
	}
	return got
}

func decodeOK(t *testing.T, data string) string {
	t.Helper()
	got, err := rle.Decode(data)
	if err != nil {
		t.Fatalf("Decode(%q) returned error %v", data, err)
	}
	return got
}

func TestEncodeMixedRuns(t *testing.T) {
	if got := encodeOK(t, "aaabcc"); got != "3a1b2c" {
		t.Errorf("Encode(%q) = %q, want %q", "aaabcc", got, "3a1b2c")
	}
}

func TestEncodeSingleCharacters(t *testing.T) {
	if got := encodeOK(t, "abc"); got != "1a1b1c" {
		t.Errorf("Encode(%q) = %q, want %q", "abc", got, "1a1b1c")
	}
}

func TestEncodeEmpty(t *testing.T) {
	if got := encodeOK(t, ""); got != "" {
		t.Errorf("Encode(%q) = %q, want %q", "", got, "")
	}
}

func TestEncodeLongRunUsesSeveralDigits(t *testing.T) {
	if got := encodeOK(t, strings.Repeat("x", 12)); got != "12x" {
		t.Errorf("Encode(12 x) = %q, want %q", got, "12x")
	}
	if got := encodeOK(t, strings.Repeat("y", 100)+"z"); got != "100y1z" {
		t.Errorf("Encode(100 y, z) = %q, want %q", got, "100y1z")
	}
}

func TestEncodeRunsAreMaximal(t *testing.T) {
	if got := encodeOK(t, "aaaa"); got != "4a" {
		t.Errorf("Encode(%q) = %q, want %q", "aaaa", got, "4a")
	}
}

func TestEncodeRejectsDigits(t *testing.T) {
	// '0' and '9' are the edges of the digit range: an off-by-one there must fail.
	for _, text := range []string{"ab3", "a0", "b9"} {
		if _, err := rle.Encode(text); !errors.Is(err, rle.ErrDigit) {
			t.Errorf("Encode(%q) error = %v, want ErrDigit", text, err)
		}
	}
}

func TestEncodeAcceptsNeighboursOfDigits(t *testing.T) {
	// '/' and ':' sit just outside '0'..'9' and are ordinary text.
	if got := decodeOK(t, encodeOK(t, "//::")); got != "//::" {
		t.Errorf("Decode(Encode(%q)) = %q", "//::", got)
	}
}

func TestDecodeExamples(t *testing.T) {
	if got := decodeOK(t, "3a1b2c"); got != "aaabcc" {
		t.Errorf("Decode(%q) = %q, want %q", "3a1b2c", got, "aaabcc")
	}
	if got := decodeOK(t, ""); got != "" {
		t.Errorf("Decode(%q) = %q, want %q", "", got, "")
	}
}

func TestDecodeMultiDigitCount(t *testing.T) {
	if got := decodeOK(t, "12x"); got != strings.Repeat("x", 12) {
		t.Errorf("Decode(%q) = %q, want twelve x", "12x", got)
	}
}

func TestRoundtrip(t *testing.T) {
	for _, text := range []string{"a", "zzzzzzzzzzzz", "ab ba", "  ", "ééé", "mississippi"} {
		t.Run(text, func(t *testing.T) {
			if got := decodeOK(t, encodeOK(t, text)); got != text {
				t.Errorf("Decode(Encode(%q)) = %q", text, got)
			}
		})
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, data := range []string{"a", "3", "3a2", "0a", "a3"} {
		t.Run(data, func(t *testing.T) {
			if _, err := rle.Decode(data); !errors.Is(err, rle.ErrMalformed) {
				t.Errorf("Decode(%q) error = %v, want ErrMalformed", data, err)
			}
		})
	}
}

func TestEncodeRejectsLeadingDigit(t *testing.T) {
	if _, err := rle.Encode("7"); !errors.Is(err, rle.ErrDigit) {
		t.Errorf("Encode(%q) error = %v, want ErrDigit", "7", err)
	}
}
