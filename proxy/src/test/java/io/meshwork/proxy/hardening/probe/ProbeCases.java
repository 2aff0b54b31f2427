package io.meshwork.proxy.hardening.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the case list, one case a line: {@code id | rfc | expected | note | request}. The request
 * is the rest of the line, with escapes {@code \r \n \t \0 \\ \xHH} and {@code {N*text}} for text
 * repeated N times; {@code #} starts a comment line. One list serves the JUnit test and the
 * comparison run against other proxies.
 */
public final class ProbeCases {
  public static final String RESOURCE = "http1-probe-cases.txt";

  private ProbeCases() {}

  public static List<ProbeCase> load() {
    try (InputStream in = ProbeCases.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath next to " + ProbeCases.class.getName());
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<ProbeCase> parse(String text) {
    List<ProbeCase> cases = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      // The request is the last field, so a '|' in it needs no escape; spaces at its ends do (\x20).
      String[] parts = line.split("\\|", 5);
      if (parts.length != 5) {
        throw new IllegalArgumentException(RESOURCE + ":" + (n + 1) + ": expected: id | rfc | expected | note | request");
      }
      String id = parts[0].strip();
      if (!ids.add(id)) {
        throw new IllegalArgumentException(RESOURCE + ":" + (n + 1) + ": duplicate id " + id);
      }
      String[] expect = parts[2].strip().split("\\s+");
      Map<ProbeCase.PortKind, String> byPort = new EnumMap<>(ProbeCase.PortKind.class);
      for (int i = 1; i < expect.length; i++) {
        String[] kv = expect[i].split("=", 2);
        if (kv.length != 2) {
          throw new IllegalArgumentException(RESOURCE + ":" + (n + 1) + ": expected: port=answer, got " + expect[i]);
        }
        byPort.put(ProbeCase.PortKind.valueOf(kv[0].toUpperCase(Locale.ROOT)), kv[1]);
      }
      cases.add(new ProbeCase(id, parts[1].strip(), expect[0], byPort, parts[3].strip(), unescape(parts[4].strip(), n + 1)));
    }
    return cases;
  }

  static byte[] unescape(String s, int lineNumber) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        int star = s.indexOf('*', i);
        int close = s.indexOf('}', i);
        if (star < 0 || close < star) {
          throw new IllegalArgumentException(RESOURCE + ":" + lineNumber + ": expected {N*text} at index " + i);
        }
        int times = Integer.parseInt(s.substring(i + 1, star));
        byte[] unit = unescape(s.substring(star + 1, close), lineNumber);
        for (int k = 0; k < times; k++) {
          out.writeBytes(unit);
        }
        i = close;
      } else if (c == '\\' && i + 1 < s.length()) {
        char e = s.charAt(++i);
        switch (e) {
          case 'r' -> out.write('\r');
          case 'n' -> out.write('\n');
          case 't' -> out.write('\t');
          case '0' -> out.write(0);
          case '\\' -> out.write('\\');
          case '{' -> out.write('{');
          case 'x' -> {
            out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
            i += 2;
          }
          default -> throw new IllegalArgumentException(RESOURCE + ":" + lineNumber + ": unknown escape \\" + e);
        }
      } else {
        if (c > 0xff) {
          throw new IllegalArgumentException(RESOURCE + ":" + lineNumber + ": non-Latin-1 character; use \\xHH");
        }
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
