// Package wc counts words.
package wc

import (
	"errors"
	"strings"
)

// ErrEmpty is returned for a text with no words.
var ErrEmpty = errors.New("wc: empty text")

// CountWords returns the number of whitespace-separated words in text.
func CountWords(text string) (int, error) {
	words := strings.Fields(text)
	if len(words) == 0 {
		return 0, ErrEmpty
	}
	return len(words), nil
}
