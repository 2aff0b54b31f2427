package io.meshwork.proxy.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XxHash64Test {

  @Test
  void matchesPublishedReferenceValues() {
    // Reference values of XXH64 with seed 0 from the xxHash project's sanity checks.
    assertThat(XxHash64.hash(new byte[0], 0)).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(XxHash64.hash("a")).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(XxHash64.hash("abc")).isEqualTo(0x44BC2CF5AD770999L);
  }

  @Test
  void coversEveryInputLengthPath() {
    // 0..70 bytes exercises the 32-byte stripes, 8-byte, 4-byte and single-byte tails.
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int len = 0; len <= 70; len++) {
      byte[] data = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()"
          .substring(0, len).getBytes(StandardCharsets.US_ASCII);
      long h = XxHash64.hash(data, 0);
      assertThat(XxHash64.hash(data.clone(), 0)).isEqualTo(h);
      seen.add(h);
    }
    assertThat(seen).hasSize(71);
    assertThat(XxHash64.hash(new byte[] {1, 2, 3}, 1)).isNotEqualTo(XxHash64.hash(new byte[] {1, 2, 3}, 0));
  }
}
