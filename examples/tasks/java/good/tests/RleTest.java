import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RleTest {
    @Test
    void encodeMixedRuns() {
        assertEquals("3a1b2c", Rle.encode("aaabcc"));
    }

    @Test
    void encodeSingleCharacters() {
        assertEquals("1a1b1c", Rle.encode("abc"));
    }

    @Test
    void encodeEmpty() {
        assertEquals("", Rle.encode(""));
    }

    @Test
    void encodeLongRunUsesSeveralDigits() {
        assertEquals("12x", Rle.encode("x".repeat(12)));
        assertEquals("100y1z", Rle.encode("y".repeat(100) + "z"));
    }

    @Test
    void encodeRunsAreMaximal() {
        assertEquals("4a", Rle.encode("aaaa"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab3", "a0", "b9"})  // '0' and '9': the edges of the digit range
    void encodeRejectsDigits(String text) {
        assertThrows(IllegalArgumentException.class, () -> Rle.encode(text));
    }

    @Test
    void encodeAcceptsNeighboursOfDigits() {
        // '/' and ':' sit just outside '0'..'9' and are ordinary text.
        assertEquals("//::", Rle.decode(Rle.encode("//::")));
    }

    @Test
    void decodeExamples() {
        assertEquals("aaabcc", Rle.decode("3a1b2c"));
        assertEquals("", Rle.decode(""));
    }

    @Test
    void decodeMultiDigitCount() {
        assertEquals("x".repeat(12), Rle.decode("12x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "zzzzzzzzzzzz", "ab ba", "  ", "\u00e9\u00e9e", "mississippi"})
    void roundtrip(String text) {
        assertEquals(text, Rle.decode(Rle.encode(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "3", "3a2", "0a", "a3"})
    void decodeRejectsMalformed(String data) {
        assertThrows(IllegalArgumentException.class, () -> Rle.decode(data));
    }
}
