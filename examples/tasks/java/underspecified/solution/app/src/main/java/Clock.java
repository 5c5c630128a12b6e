/** Times of day: "01:30" <-> 90 minutes since midnight. */
public final class Clock {
    private Clock() {}

    public static int toMinutes(String time) {
        if (time.length() != 5 || time.charAt(2) != ':') {
            throw new IllegalArgumentException("expected HH:MM, got: " + time);
        }
        int hours = Integer.parseInt(time.substring(0, 2));
        int minutes = Integer.parseInt(time.substring(3));
        if (hours > 23) {
            throw new IllegalArgumentException("hour out of range: " + hours);
        }
        if (minutes > 59) {
            throw new IllegalArgumentException("minute out of range: " + minutes);
        }
        return hours * 60 + minutes;
    }

    public static String toText(int minutes) {
        return String.format("%dh %02dm", minutes / 60, minutes % 60);
    }
}
