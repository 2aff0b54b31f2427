package io.meshwork.model.codec;

import io.meshwork.model.Diagnostic;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns the bytes of a source into text. Sources are UTF-8 (YAML 1.2 §5.2 and RFC 8259 §8.1 both require it of
 * interchanged documents); a byte sequence that is not UTF-8 is reported at its line and column rather than read as
 * replacement characters, which would silently change names and hosts.
 */
final class SourceText {
  /** The text, or the error naming where the first invalid byte is. */
  sealed interface Decoded permits Text, Invalid {}

  record Text(String text) implements Decoded {}

  record Invalid(Diagnostic error) implements Decoded {}

  private SourceText() {}

  static Decoded decode(String sourceName, byte[] bytes) {
    int start = hasBom(bytes) ? 3 : 0;
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    CharBuffer out = CharBuffer.allocate(bytes.length - start);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      return new Invalid(notUtf8(sourceName, bytes, in.position()));
    }
    result = decoder.flush(out);
    if (result.isError()) {
      return new Invalid(notUtf8(sourceName, bytes, in.position()));
    }
    return new Text(out.flip().toString());
  }

  private static boolean hasBom(byte[] b) {
    return b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF;
  }

  private static Diagnostic notUtf8(String sourceName, byte[] bytes, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    // Columns count characters; the bytes before the bad one on its line are valid UTF-8.
    int column = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8).length() + 1;
    return Diagnostic.error(sourceName, line, column, "", String.format(Locale.ROOT,
        "byte 0x%02X is not UTF-8 (expected: a UTF-8 file; convert it, e.g. with iconv -f latin1 -t utf-8)",
        bytes[offset] & 0xFF));
  }
}
