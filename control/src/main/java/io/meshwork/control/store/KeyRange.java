package io.meshwork.control.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A prefix as a half-open byte range [start, end), compared as unsigned bytes like etcd's keys; {@code end} is
 * {@code null} when the range is unbounded (empty prefix, or a prefix of only 0xFF bytes).
 */
record KeyRange(byte[] start, byte[] end) {

    static KeyRange prefix(String prefix) {
        byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] end = Arrays.copyOf(start, start.length);
        // etcd's GetPrefixRangeEnd: increment the last byte that is not 0xFF and cut after it.
        for (int i = end.length - 1; i >= 0; i--) {
            if ((end[i] & 0xFF) != 0xFF) {
                end[i]++;
                return new KeyRange(start, Arrays.copyOf(end, i + 1));
            }
        }
        return new KeyRange(start, null);
    }

    boolean contains(byte[] key) {
        return Arrays.compareUnsigned(key, start) >= 0 && (end == null || Arrays.compareUnsigned(key, end) < 0);
    }

    boolean contains(String key) {
        return contains(key.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange other && Arrays.equals(start, other.start) && Arrays.equals(end, other.end);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(start) + Arrays.hashCode(end);
    }

    @Override
    public String toString() {
        return "KeyRange[" + new String(start, StandardCharsets.UTF_8) + "...]";
    }
}
