import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ClockTest {
    @Test
    void hoursAndMinutes() {
        assertEquals(90, Clock.toMinutes("01:30"));
        assertEquals(720, Clock.toMinutes("12:00"));
        assertEquals(0, Clock.toMinutes("00:00"));
        assertEquals(1439, Clock.toMinutes("23:59"));
    }

    @Test
    void hourOutOfRange() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Clock.toMinutes("25:00"));
        assertEquals("hour out of range: 25", e.getMessage());
    }

    @Test
    void minuteOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Clock.toMinutes("12:60"));
    }

    @Test
    void emptyTime() {
        assertThrows(IllegalArgumentException.class, () -> Clock.toMinutes(""));
    }

    @Test
    void writesTimes() {
        assertEquals("1h 30m", Clock.toText(90));
        assertEquals("0h 00m", Clock.toText(0));
        assertEquals("1h 00m", Clock.toText(60));
        assertEquals("23h 59m", Clock.toText(1439));
    }
}
