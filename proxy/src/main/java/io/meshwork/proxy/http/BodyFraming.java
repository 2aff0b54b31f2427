package io.meshwork.proxy.http;

/** How the bytes after a request head are delimited (RFC 9112 §6.3), as the decoder will read them. */
public sealed interface BodyFraming {
  BodyFraming NONE = new None();
  BodyFraming CHUNKED = new Chunked();
  BodyFraming OPAQUE = new Opaque();

  /** No body: the next bytes start the next request. */
  record None() implements BodyFraming {}

  /** Exactly {@code length} bytes of body. */
  record Fixed(long length) implements BodyFraming {
    public Fixed {
      if (length <= 0) {
        throw new IllegalArgumentException("length: " + length + " (expected: > 0)");
      }
    }
  }

  /** Chunks, a last chunk and trailers (RFC 9112 §7.1). */
  record Chunked() implements BodyFraming {}

  /** The connection stops speaking HTTP/1 (CONNECT): what follows is not inspected. */
  record Opaque() implements BodyFraming {}
}
