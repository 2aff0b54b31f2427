package io.meshwork.proxy.egress;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened to traffic for hosts outside the registry and to CONNECT tunnels, counted across
 * every event loop. The admin {@code /config} shows them under {@code egress}; metrics read the same
 * counters.
 */
public final class EgressCounters {

  /** One outcome per request or tunnel. */
  public enum Outcome {
    /** A plain HTTP request passed through to a host outside the registry (ALLOW_ANY). */
    PASSTHROUGH,
    /** A plain HTTP request for a host outside the registry refused under REGISTRY_ONLY. */
    BLACKHOLE,
    /** A passthrough whose host did not resolve. */
    PASSTHROUGH_UNRESOLVED,
    /** A request or tunnel that would have come back to this sidecar's own ports. */
    LOOP_REFUSED,
    /** A CONNECT tunnel opened to a mesh service or ServiceEntry host. */
    TUNNEL_MESH,
    /** A CONNECT tunnel opened to a host outside the registry (ALLOW_ANY). */
    TUNNEL_PASSTHROUGH,
    /** A CONNECT for a host outside the registry refused under REGISTRY_ONLY. */
    TUNNEL_BLACKHOLE,
    /** A CONNECT whose destination could not be reached (no endpoint, refused, unresolvable, timed out). */
    TUNNEL_CONNECT_FAILED;

    /** The counter's name in the admin API: lower camel case of the constant. */
    String key() {
      String[] words = name().toLowerCase(Locale.ROOT).split("_");
      StringBuilder out = new StringBuilder(words[0]);
      for (int i = 1; i < words.length; i++) {
        out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i], 1, words[i].length());
      }
      return out.toString();
    }
  }

  private final LongAdder[] counts = new LongAdder[Outcome.values().length];

  public EgressCounters() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  public void count(Outcome outcome) {
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

  /** The counts as the admin API renders them, e.g. {@code {"passthrough": 3, "blackhole": 0, ...}}. */
  public Map<String, Object> view() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Outcome o : Outcome.values()) {
      out.put(o.key(), get(o));
    }
    return out;
  }
}
