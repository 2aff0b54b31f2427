package io.meshwork.proxy.security.authz;

/** The outcome of {@link PathNormalizer#normalize(String)}. */
public sealed interface NormalizedPath {

  /**
   * @param path the normalized path, the form policies match and the application receives
   * @param query the query as received, without the {@code ?}, or null when absent
   */
  record Accepted(String path, String query) implements NormalizedPath {
    /** Path and query joined again, to forward upstream. */
    public String requestTarget() {
      return query == null ? path : path + "?" + query;
    }
  }

  /** The request must be answered 400 Bad Request; {@code reason} names what was wrong. */
  record Rejected(String reason) implements NormalizedPath {}
}
