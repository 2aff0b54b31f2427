package io.meshwork.proxy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshwork.proxy.http.DownstreamLimits;
import io.meshwork.proxy.http.GuardedPipeline;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Arbitrary bytes into the downstream HTTP/1 front (scanner, strict decoder, guard). Invariants: no
 * exception escapes the pipeline; everything written back is a sequence of well-formed responses;
 * nothing follows a response that closes the connection; no buffer is leaked. The input is fed once
 * whole and once in small reads, since the byte scanner keeps state across reads.
 */
class Http1ParserFuzzTest {
  private static final Pattern HEAD = Pattern.compile(
      "HTTP/1\\.1 ([1-5]\\d\\d) [^\\r\\n]*\\r\\n((?:[!#$%&'*+.^_`|~0-9A-Za-z-]+: [^\\r\\n]*\\r\\n)*)\\r\\n");
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)(?:^|\\n)content-length: (\\d+)\\r\\n");

  private static ResourceLeakDetector.Level previousLevel;

  @BeforeAll
  static void paranoid() {
    previousLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  /** The level is global: later test classes in this JVM must not pay for it. */
  @AfterAll
  static void restore() {
    ResourceLeakDetector.setLevel(previousLevel);
  }

  @FuzzTest(maxDuration = "5m")
  void http1Parser(byte[] input) {
    feed(input, input.length == 0 ? 1 : input.length);
    feed(input, input.length == 0 ? 1 : 1 + (input[0] & 7));
  }

  private static void feed(byte[] input, int readSize) {
    UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false, true);
    String out;
    try (GuardedPipeline p = new GuardedPipeline(DownstreamLimits.DEFAULTS, alloc)) {
      for (int at = 0; at < input.length; at += readSize) {
        p.send(input, at, Math.min(readSize, input.length - at));
      }
      out = p.output();
    }
    assertWellFormed(out);
    assertThat(alloc.metric().usedHeapMemory()).as("bytes still allocated").isZero();
  }

  private static void assertWellFormed(String out) {
    int at = 0;
    boolean closed = false;
    while (at < out.length()) {
      assertThat(closed).as("a response after one that closed the connection: %s", out).isFalse();
      Matcher head = HEAD.matcher(out).region(at, out.length());
      assertThat(head.lookingAt()).as("a well-formed response head at %d in %s", at, out).isTrue();
      String fields = head.group(2);
      Matcher length = CONTENT_LENGTH.matcher(fields);
      assertThat(length.find()).as("a Content-Length in %s", fields).isTrue();
      at = head.end() + Integer.parseInt(length.group(1));
      assertThat(at).isLessThanOrEqualTo(out.length());
      closed = fields.toLowerCase().contains("connection: close");
    }
  }
}
