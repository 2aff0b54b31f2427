package io.meshwork.proxy.stack;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** A stage's answer for one request. */
public sealed interface StageVerdict {
  /** The one instance of {@link Next}: going on allocates nothing. */
  Next NEXT = new Next();

  /** Hand the request to the next stage (after the last one, to the router). */
  record Next() implements StageVerdict {}

  /**
   * Answer locally; no later stage and no upstream sees the request. A gRPC caller gets a
   * trailers-only response carrying {@code grpcStatus}; so does any caller when {@code status} is 200
   * and {@code grpcStatus} is set (a gRPC fault abort).
   *
   * @param status the HTTP status
   * @param grpcStatus the grpc-status for gRPC callers, or -1 for the gRPC mapping of {@code status}
   * @param reason the {@code x-meshwork-error} code
   * @param message the body text (grpc-message for gRPC callers)
   * @param headers extra response headers, e.g. {@code www-authenticate}
   * @param flag the response flag the request record carries, or null
   */
  record Answer(int status, int grpcStatus, String reason, String message, Map<String, String> headers,
      ResponseFlag flag) implements StageVerdict {
    public Answer {
      if (status < 200 || status > 599) {
        throw new IllegalArgumentException("status: " + status + " (expected: 200..599)");
      }
      headers = Map.copyOf(headers);
    }

    /** The grpc-status a gRPC caller sees: the one given, else the gRPC project's HTTP-to-gRPC mapping. */
    public int effectiveGrpcStatus() {
      if (grpcStatus >= 0) {
        return grpcStatus;
      }
      return switch (status) {
        case 400 -> 13;
        case 401 -> 16;
        case 403 -> 7;
        case 404 -> 12;
        case 429, 502, 503, 504 -> 14;
        default -> 2;
      };
    }
  }

  /**
   * Suspend the request, on its event loop, then resume there. Without {@code until}: wait {@code delay}, then go
   * on with the next stage (a fault delay). With {@code until}: wait until it completes or {@code delay} passes,
   * whichever is first, then run the same stage again, which now decides without waiting (a global rate-limit check
   * whose tokens have arrived, or whose deadline has passed). The request body keeps arriving meanwhile and is held
   * (bounded, with backpressure).
   *
   * @param delay how long to wait; with {@code until}, the deadline
   * @param until what the stage waits for, or null
   */
  record Later(Duration delay, CompletionStage<?> until) implements StageVerdict {
    public Later {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
      }
    }

    public Later(Duration delay) {
      this(delay, null);
    }

    /** Wait for {@code ready} (at most {@code deadline}), then run the same stage again. */
    public static Later until(CompletionStage<?> ready, Duration deadline) {
      return new Later(deadline, Objects.requireNonNull(ready, "ready"));
    }
  }
}
