/** Times of day. Implement the class as the task statement describes. */
public final class Clock {
    private Clock() {}
}
