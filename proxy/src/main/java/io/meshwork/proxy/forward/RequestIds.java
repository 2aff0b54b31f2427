package io.meshwork.proxy.forward;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Random version 4 UUIDs for {@code x-request-id}, without the lock behind {@link UUID#randomUUID()}. */
final class RequestIds {
  private RequestIds() {}

  static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xf000L) | 0x4000L;
    long lsb = (r.nextLong() & ~(0xcL << 60)) | (0x8L << 60);
    return new UUID(msb, lsb).toString();
  }
}
