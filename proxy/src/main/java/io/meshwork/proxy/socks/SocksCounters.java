package io.meshwork.proxy.socks;

import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** How SOCKS handshakes ended, counted across every event loop, for the admin port's metrics. */
public final class SocksCounters {

  /** One per RFC 1928 reply code we send, plus the handshakes that end before a request. */
  public enum Outcome {
    SUCCEEDED,
    GENERAL_FAILURE,
    NOT_ALLOWED_BY_RULESET,
    NETWORK_UNREACHABLE,
    HOST_UNREACHABLE,
    CONNECTION_REFUSED,
    COMMAND_NOT_SUPPORTED,
    ADDRESS_TYPE_NOT_SUPPORTED,
    NO_ACCEPTABLE_METHOD,
    SOCKS4_REJECTED,
    HANDSHAKE_TIMEOUT,
    MALFORMED;

    static Outcome of(Socks5CommandStatus status) {
      return switch (status.byteValue()) {
        case 0x00 -> SUCCEEDED;
        case 0x02 -> NOT_ALLOWED_BY_RULESET;
        case 0x03 -> NETWORK_UNREACHABLE;
        case 0x04 -> HOST_UNREACHABLE;
        case 0x05 -> CONNECTION_REFUSED;
        case 0x07 -> COMMAND_NOT_SUPPORTED;
        case 0x08 -> ADDRESS_TYPE_NOT_SUPPORTED;
        default -> GENERAL_FAILURE;
      };
    }
  }

  private final LongAdder[] counts = new LongAdder[Outcome.values().length];

  SocksCounters() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  void count(Outcome outcome) {
    counts[outcome.ordinal()].increment();
  }

  public long get(Outcome outcome) {
    return counts[outcome.ordinal()].sum();
  }

  /** Every outcome with its count so far. */
  public Map<Outcome, Long> snapshot() {
    Map<Outcome, Long> out = new EnumMap<>(Outcome.class);
    for (Outcome o : Outcome.values()) {
      out.put(o, get(o));
    }
    return out;
  }
}
