package io.meshwork.proxy.telemetry;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Envoy's default {@code %START_TIME%}: ISO 8601 in UTC with milliseconds, {@code
 * 2024-01-15T10:30:00.123Z}. Each thread keeps the text of the last second it printed, so a busy
 * event loop formats the date once per second and only the milliseconds per request.
 */
final class Timestamps {
  private static final ThreadLocal<Cache> CACHE = ThreadLocal.withInitial(Cache::new);

  private Timestamps() {}

  static void appendIso(long epochMillis, StringBuilder out) {
    long second = Math.floorDiv(epochMillis, 1000);
    int millis = (int) Math.floorMod(epochMillis, 1000);
    Cache c = CACHE.get();
    if (c.second != second || c.prefix == null) {
      c.second = second;
      LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
      c.prefix = String.format("%04d-%02d-%02dT%02d:%02d:%02d.", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
          t.getHour(), t.getMinute(), t.getSecond());
    }
    out.append(c.prefix);
    if (millis < 100) {
      out.append('0');
    }
    if (millis < 10) {
      out.append('0');
    }
    out.append(millis).append('Z');
  }

  private static final class Cache {
    long second = Long.MIN_VALUE;
    String prefix;
  }
}
