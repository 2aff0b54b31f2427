package io.meshwork.proxy.forward;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What became of mirrored copies, for {@code /config}: started, answered, failed, abandoned (too much held body or the caller left), timed out, and not sent for want of an endpoint. */
public final class MirrorCounters {
  final LongAdder started = new LongAdder();
  final LongAdder answered = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder abandoned = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  final LongAdder noEndpoint = new LongAdder();

  public Map<String, Long> view() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("started", started.sum());
    out.put("answered", answered.sum());
    out.put("failed", failed.sum());
    out.put("abandoned", abandoned.sum());
    out.put("timedOut", timedOut.sum());
    out.put("noEndpoint", noEndpoint.sum());
    return out;
  }

  public long answered() {
    return answered.sum();
  }
}
