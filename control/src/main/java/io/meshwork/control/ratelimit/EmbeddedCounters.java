package io.meshwork.control.ratelimit;

import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Counters in the control plane's memory: the default for one control plane. They do not survive a restart (a
 * restarted control plane opens fresh windows, so a window may admit up to twice its quota across a restart).
 * Spent windows are dropped as new ones open, so memory follows the keys in use.
 */
public final class EmbeddedCounters implements RateLimitCounters {
    /** Looked for expired windows every this many new windows. */
    private static final int SWEEP_EVERY = 1024;

    private final Clock clock;
    private final Map<String, Window> windows = new HashMap<>();
    private int opened;

    public EmbeddedCounters(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Grant take(String key, long tokens, long quota, long windowMillis) {
        long now = clock.millis();
        Window w = windows.get(key);
        if (w == null || now >= w.endsAt) {
            w = new Window(now + windowMillis);
            windows.put(key, w);
            if (++opened % SWEEP_EVERY == 0) {
                sweep(now);
            }
        }
        long granted = Math.max(0, Math.min(tokens, quota - w.used));
        w.used += granted;
        return new Grant(granted, w.endsAt - now);
    }

    private void sweep(long now) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            if (now >= it.next().endsAt) {
                it.remove();
            }
        }
    }

    /** How many windows are held now. */
    public synchronized int windows() {
        return windows.size();
    }

    @Override
    public String describe() {
        return "in memory";
    }

    private static final class Window {
        final long endsAt;
        long used;

        Window(long endsAt) {
            this.endsAt = endsAt;
        }
    }
}
