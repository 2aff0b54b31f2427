package io.meshwork.model.codec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A syntax error reduced to one line and its position. SnakeYAML reports a context ("while parsing a
 * block mapping", at the mapping's start) and a problem ("expected <block end>", where it went
 * wrong); users need the problem and its position first.
 */
record SyntaxProblem(int line, int column, String message) {
  private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");

  static SyntaxProblem of(JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    List<String> headlines = original.lines()
        .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
        .toList();
    String message = switch (headlines.size()) {
      case 0 -> "unreadable input";
      case 1 -> headlines.getFirst();
      default -> headlines.getLast() + " (" + headlines.getFirst() + ")";
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
}
