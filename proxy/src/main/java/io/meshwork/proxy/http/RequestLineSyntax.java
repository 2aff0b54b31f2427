package io.meshwork.proxy.http;

/**
 * Checks a request line byte by byte against RFC 9112 §3: {@code method SP request-target SP
 * HTTP-version}, single spaces, a method that is a token (RFC 9110 §9.1) and a version that is
 * exactly {@code "HTTP/" DIGIT "." DIGIT} with the case-sensitive name {@code HTTP} (RFC 9112 §2.3).
 * Netty's decoder splits on any run of whitespace and upper-cases the version, so {@code GET /
 * http/1.1} or {@code GET  /  HTTP/1.1} would otherwise pass; a recipient downstream may split
 * the same line differently. What the version's digits mean (505 for HTTP/2.0 on HTTP/1) is left
 * to {@link RequestValidator}.
 */
final class RequestLineSyntax {
  private static final byte[] VERSION = {'H', 'T', 'T', 'P', '/', 0, '.', 0};
  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[Character.toUpperCase(c)] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private enum Part { METHOD, TARGET, VERSION }

  private Part part = Part.METHOD;
  private int length;

  void reset() {
    part = Part.METHOD;
    length = 0;
  }

  /**
   * One byte of the line, CR and LF excluded.
   *
   * @return null while the line may still be valid, else why it is not
   */
  String accept(byte b) {
    switch (part) {
      case METHOD -> {
        if (b == ' ' && length > 0) {
          part = Part.TARGET;
          length = 0;
        } else if (b >= 0 && TCHAR[b]) {
          length++;
        } else {
          return "invalid character in method";
        }
      }
      case TARGET -> {
        // The characters of the target are RequestValidator's to judge (INVALID_REQUEST_TARGET).
        if (b == ' ') {
          if (length == 0) {
            return "more than one space before the request-target";
          }
          part = Part.VERSION;
          length = 0;
        } else {
          length++;
        }
      }
      case VERSION -> {
        if (length >= VERSION.length) {
          return "extra characters after the HTTP version";
        }
        byte expected = VERSION[length];
        boolean ok = expected == 0 ? b >= '0' && b <= '9' : b == expected;
        if (!ok) {
          return "HTTP version is not HTTP/DIGIT.DIGIT (RFC 9112 §2.3: the name is case-sensitive)";
        }
        length++;
      }
    }
    return null;
  }

  /** The line ended: null if it was complete, else what was missing. */
  String end() {
    return part == Part.VERSION && length == VERSION.length ? null : "request line is not method SP target SP HTTP-version";
  }
}
