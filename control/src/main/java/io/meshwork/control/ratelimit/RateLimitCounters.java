package io.meshwork.control.ratelimit;

/**
 * The counters GLOBAL rate limits lease their tokens from: one fixed window per key that starts with the key's
 * first lease and lasts {@code windowMillis}; a window hands out at most {@code quota} tokens in all. Windows start
 * at first use rather than on the clock's minute, so no two machines need agreeing clocks: the store alone measures
 * the window.
 */
public interface RateLimitCounters extends AutoCloseable {

    /**
     * Takes up to {@code tokens} from the current window of {@code key}.
     *
     * @throws CountersUnavailableException when the counters cannot be reached or did not answer in time
     */
    Grant take(String key, long tokens, long quota, long windowMillis);

    /** Where the counters are, for the start-up log line. */
    String describe();

    @Override
    default void close() {}

    /**
     * @param granted the tokens taken (0 when the window's quota is spent)
     * @param windowRemainingMillis how long the window still runs; the tokens expire with it
     */
    record Grant(long granted, long windowRemainingMillis) {
        public Grant {
            if (granted < 0 || windowRemainingMillis < 0) {
                throw new IllegalArgumentException("grant: " + granted + " for " + windowRemainingMillis
                        + " ms (expected: >= 0 for >= 0 ms)");
            }
        }
    }
}
