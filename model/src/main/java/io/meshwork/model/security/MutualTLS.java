package io.meshwork.model.security;

/** Istio PeerAuthentication.MutualTLS; {@code mode} null means UNSET (inherit). */
public record MutualTLS(Mode mode) {
  public enum Mode {
    UNSET,
    DISABLE,
    PERMISSIVE,
    STRICT
  }
}
