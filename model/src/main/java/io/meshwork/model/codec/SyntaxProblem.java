package io.meshwork.model.codec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A syntax error reduced to one line and its position, in the project's words. SnakeYAML reports a
 * context ("while parsing a block mapping", at the mapping's start) and a problem ("expected <block
 * end>", where it went wrong); users need the problem and its position first. Jackson's messages name
 * its own classes, features and limits ({@code StreamReadConstraints}, "Feature 'ALLOW_COMMENTS' not
 * enabled", "[Source: ...]"), which mean nothing to someone editing a YAML file: those are rewritten
 * or cut, and nothing of them reaches a diagnostic.
 */
record SyntaxProblem(int line, int column, String message) {
  private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");

  /** Rewrites of Jackson's core messages, tried in order; the first that matches wins. */
  private static final List<Rewrite> REWRITES = List.of(
      new Rewrite("Duplicate field '(.*)'", m -> "key \"" + m.group(1) + "\" appears twice in one mapping"),
      new Rewrite("Duplicate key '?(.*?)'? .*", m -> "key \"" + m.group(1) + "\" appears twice in one mapping"),
      new Rewrite("Unexpected character \\('(.+?)' \\(code \\d+\\)\\): maybe a \\(non-standard\\) comment\\?.*",
          m -> "unexpected '" + m.group(1) + "' (comments are not allowed in JSON; use YAML for comments)"),
      new Rewrite("Unexpected character \\('(.+?)' \\(code \\d+\\)\\): was expecting (.*)",
          m -> "unexpected '" + m.group(1) + "' (expected: " + plain(m.group(2)) + ")"),
      new Rewrite("Unexpected character \\('(.+?)' \\(code \\d+\\)\\).*",
          m -> "unexpected '" + m.group(1) + "'"),
      new Rewrite("Unexpected close marker '(.)': expected '(.)'.*",
          m -> "unexpected '" + m.group(1) + "' (expected: '" + m.group(2) + "' to close what is open)"),
      new Rewrite("Unexpected end-of-input.*",
          m -> "the text ends in the middle of a value (expected: every '{', '[' and '\"' closed)"),
      new Rewrite("Unrecognized token '(.*?)'.*",
          m -> "unexpected word '" + m.group(1) + "' (expected: a string in quotes, a number, an object, a list,"
              + " true, false or null)"),
      new Rewrite("Illegal unquoted character \\(\\(CTRL-CHAR, code (\\d+)\\)\\).*",
          m -> String.format(Locale.ROOT, "control character U+%04X inside a string (expected: written as an escape"
              + " such as \\n or \\t)", Integer.parseInt(m.group(1)))),
      new Rewrite("Unrecognized character escape '(.+?)'.*",
          m -> "unknown escape \\" + m.group(1) + " (expected: one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"),
      new Rewrite("Invalid numeric value: (.*)", m -> "invalid number: " + plain(m.group(1))),
      new Rewrite("Numeric value \\((.*)\\) out of range of (int|long).*",
          m -> "number " + m.group(1) + " is too large"),
      new Rewrite(".*\\(([0-9]+)\\) exceeds the maximum .*?\\(([0-9]+).*",
          m -> "a value of size " + m.group(1) + " is larger than the limit of " + m.group(2)),
      new Rewrite(".*exceeds the maximum.*", m -> "the document is larger or deeper than the limit"),
      // SnakeYAML's own jargon ("<block end>", "<stream end>") for the mistakes people make most.
      new Rewrite("found character '\\\\t\\(TAB\\)' that cannot start any token.*",
          m -> "a tab character (expected: spaces for indentation; YAML does not allow tabs there)"),
      new Rewrite("expected (.*), but (?:got|found) '?<stream end>'?",
          m -> "the text ends too early (expected: " + (m.group(1).equals("the node content") ? "a value"
              : m.group(1)) + ")"),
      new Rewrite("expected <block end>, but found .*",
          m -> "this line does not fit the block above it (expected: the same indentation, and entries of one"
              + " sort: all '- item' or all 'key: value')"),
      new Rewrite("mapping values are not allowed here",
          m -> "a second ': ' on one line (expected: one key per line; quote a value that contains ': ')"),
      new Rewrite("found unexpected end of stream", m -> "the text ends inside a quoted string"),
      new Rewrite("while parsing a flow .*", m -> "inside [...] or {...}"),
      new Rewrite("while parsing a block .*", m -> "inside an indented block"),
      new Rewrite("while scanning an? (?:double-|single-)?quoted scalar", m -> "inside a quoted string"),
      new Rewrite("while scanning .*", m -> ""),
      new Rewrite("found unknown escape character (.)\\(\\d+\\)",
          m -> "unknown escape \\" + m.group(1) + " (expected: one of \\\" \\\\ \\/ \\n \\r \\t \\uXXXX)"));

  private record Rewrite(Pattern pattern, java.util.function.Function<Matcher, String> to) {
    Rewrite(String regex, java.util.function.Function<Matcher, String> to) {
      this(Pattern.compile(regex, Pattern.DOTALL), to);
    }
  }

  static SyntaxProblem of(JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    List<String> headlines = original.lines()
        .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
        .toList();
    String message = switch (headlines.size()) {
      case 0 -> "unreadable input";
      case 1 -> orUnreadable(plain(headlines.getFirst()));
      default -> {
        String problem = orUnreadable(plain(headlines.getLast()));
        String context = plain(headlines.getFirst());
        yield context.isEmpty() || problem.contains(context) ? problem : problem + " (" + context + ")";
      }
    };
    JsonLocation at = e.getLocation();
    int line = at == null ? 0 : at.getLineNr();
    int column = at == null ? 0 : at.getColumnNr();
    Matcher mark = MARK.matcher(original);
    while (mark.find()) {
      line = Integer.parseInt(mark.group(1));
      column = Integer.parseInt(mark.group(2));
    }
    return new SyntaxProblem(line, column, message);
  }

  private static String orUnreadable(String message) {
    return message.isEmpty() ? "unreadable input" : message;
  }

  /** Any parser or I/O failure as one line in the project's words, without its position. */
  static String describe(Exception e) {
    if (e instanceof JsonProcessingException j) {
      return of(j).message();
    }
    return orUnreadable(plain(e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("")));
  }

  /** One of Jackson's or SnakeYAML's lines, rewritten and stripped of its internals. */
  static String plain(String line) {
    String s = line.strip();
    for (Rewrite r : REWRITES) {
      Matcher m = r.pattern().matcher(s);
      if (m.matches()) {
        return r.to().apply(m);
      }
    }
    // Whatever no rule knows loses the parts that name the parser's own machinery.
    s = s.replaceAll("\\s*\\(through reference chain:.*?\\)", "")
        .replaceAll("\\s*\\[Source: .*", "")
        .replaceAll("\\s*\\([^()]*`[^`]*`[^()]*\\)", "")
        .replaceAll("\\s*\\([^()]*Feature[^()]*\\)", "")
        .replaceAll("\\s*(?:maybe )?(?:enable|disable) `?[A-Z_.]+(?:Feature)?[A-Z_.]*`?.*", "")
        .replaceAll("`", "'")
        .replaceAll("(?:com\\.fasterxml|org\\.yaml\\.snakeyaml)[\\w.$]*", "the parser")
        .replaceAll("\\(code \\d+\\)", "")
        .strip();
    return s;
  }
}
