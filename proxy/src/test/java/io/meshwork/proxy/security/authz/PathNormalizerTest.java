package io.meshwork.proxy.security.authz;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormalizerTest {
  final PathNormalizer normalizer = PathNormalizer.defaults();

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/app/../admin,       /admin",
      "/app/%2E./admin,     /admin",
      "/app/%2e%2E/admin,   /admin",
      "//admin,             /admin",
      "/a//b///c,           /a/b/c",
      "\\admin,             /admin",
      "/a\\..\\admin,       /admin",
      "/a/./b,              /a/b",
      "/a/b/.,              /a/b/",
      "/a/b/..,             /a/",
      "/../../etc/passwd,   /etc/passwd",
      "/%41dmin,            /Admin",
      "/%7euser/%5Fx,       /~user/_x",
      "/a%2Fb,              /a%2Fb",
      "/a%2fb,              /a%2Fb",
      "/a%3bb,              /a%3Bb",
      "/API/Products,       /API/Products",
      "/,                   /",
      "*,                   *",
  })
  void normalizesLikeIstio(String raw, String expected) {
    assertThat(normalizer.normalize(raw)).isEqualTo(new NormalizedPath.Accepted(expected, null));
  }

  @Test
  void keepsTheQueryAsReceived() {
    NormalizedPath result = normalizer.normalize("/a/../b?x=%2F..&y=1");

    assertThat(result).isEqualTo(new NormalizedPath.Accepted("/b", "x=%2F..&y=1"));
    assertThat(((NormalizedPath.Accepted) result).requestTarget()).isEqualTo("/b?x=%2F..&y=1");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "/admin%00           | path: contains %00 (expected: no NUL)",
      "/admin%0            | path: malformed percent-encoding at offset 6 (expected: %HH)",
      "/admin%zz           | path: malformed percent-encoding at offset 6",
      "/a#frag             | path: fragment at offset 2",
      "admin               | path: admin (expected: to start with '/')",
      "''                  | path: empty",
  })
  void rejectsWhatMustBeAnswered400(String raw, String reason) {
    assertThat(normalizer.normalize(raw)).isInstanceOfSatisfying(NormalizedPath.Rejected.class,
        rejected -> assertThat(rejected.reason()).startsWith(reason));
  }

  @Test
  void rejectsRawSpacesAndControlCharacters() {
    assertThat(normalizer.normalize("/a b")).isInstanceOf(NormalizedPath.Rejected.class);
    assertThat(normalizer.normalize("/a\tb")).isInstanceOf(NormalizedPath.Rejected.class);
    assertThat(normalizer.normalize("/caf\u00e9")).isInstanceOf(NormalizedPath.Rejected.class);
  }

  @Test
  void modesDifferOnlyWhereIstioSaysTheyDo() {
    PathNormalizer none = new PathNormalizer(PathNormalization.NONE);
    PathNormalizer base = new PathNormalizer(PathNormalization.BASE);
    PathNormalizer decode = new PathNormalizer(PathNormalization.DECODE_AND_MERGE_SLASHES);

    assertThat(none.normalize("/a/../b//c")).isEqualTo(new NormalizedPath.Accepted("/a/../b//c", null));
    assertThat(none.normalize("/a%00")).isInstanceOf(NormalizedPath.Rejected.class);
    assertThat(base.normalize("/a/../b//c")).isEqualTo(new NormalizedPath.Accepted("/b//c", null));
    assertThat(base.normalize("\\da")).isEqualTo(new NormalizedPath.Accepted("/da", null));
    assertThat(decode.normalize("/a%2fb")).isEqualTo(new NormalizedPath.Accepted("/a/b", null));
    assertThat(decode.normalize("/a%5C..%5Cadmin")).isEqualTo(new NormalizedPath.Accepted("/admin", null));
    assertThat(decode.normalize("/a%2F%2Fb")).isEqualTo(new NormalizedPath.Accepted("/a/b", null));
  }
}
