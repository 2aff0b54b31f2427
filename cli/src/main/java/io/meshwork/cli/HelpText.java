package io.meshwork.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lays out {@code --help} so that lines break only between words. Picocli wraps with the JDK's line-break rules,
 * which allow a break after '.', ':' or '/' inside a word ({@code https://127.} / {@code 0.0.1:15010},
 * {@code spiffe:} / {@code //...}); and it prints each element of a description array on lines of its own, so a
 * sentence split across two elements came out as a ragged short line. Here a description element that does not end
 * a sentence runs on into the next, every paragraph is filled to the usage width, and the command list shows each
 * command's first sentence, whole.
 */
final class HelpText {
  /** The widest option column before its description moves to the next line, as picocli's default. */
  private static final int MAX_LEFT = 30;
  private static final int GAP = 2;
  /** Wrapped description lines are indented a little more than their first line, as picocli does. */
  private static final int CONTINUATION = 2;

  private HelpText() {}

  /** Installs the layout on {@code cli} and every subcommand below it. */
  static void install(CommandLine cli) {
    Map<String, CommandLine.IHelpSectionRenderer> sections = cli.getHelpSectionMap();
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION, help -> description(help));
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, help -> parameters(help));
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> options(help));
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, help -> commands(help));
    cli.setHelpSectionMap(sections);
    cli.getSubcommands().values().forEach(HelpText::install);
  }

  /** A command's one-line summary: its header, else the first sentence of its description. */
  static String summary(CommandSpec spec) {
    String[] header = spec.usageMessage().header();
    if (header.length > 0) {
      return header[0];
    }
    List<String> paragraphs = paragraphs(spec.usageMessage().description());
    if (paragraphs.isEmpty()) {
      return "";
    }
    String first = paragraphs.getFirst();
    for (int i = 0; i < first.length() - 1; i++) {
      // A sentence ends at ". " before a capital; "e.g. vs" and "127.0.0.1" do not end one.
      if (first.charAt(i) == '.' && first.charAt(i + 1) == ' ' && i + 2 < first.length()
          && Character.isUpperCase(first.charAt(i + 2))) {
        return first.substring(0, i + 1);
      }
    }
    return first;
  }

  /** Description elements as paragraphs: an element that does not end a sentence continues in the next one. */
  static List<String> paragraphs(String[] elements) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String element : elements) {
      String e = element.strip();
      if (e.isEmpty()) {
        flush(current, out);
        continue;
      }
      if (!current.isEmpty()) {
        current.append(' ');
      }
      current.append(e);
      char last = e.charAt(e.length() - 1);
      if (last == '.' || last == '!' || last == '?' || last == ':') {
        flush(current, out);
      }
    }
    flush(current, out);
    return out;
  }

  private static void flush(StringBuilder current, List<String> out) {
    if (!current.isEmpty()) {
      out.add(current.toString());
      current.setLength(0);
    }
  }

  /** Breaks {@code text} into lines of at most {@code width} characters, between words only. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.strip().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (!line.isEmpty()) {
        line.append(' ');
      }
      // A word longer than the line stays whole: breaking it is what this class is here to avoid.
      line.append(word);
    }
    if (!line.isEmpty()) {
      lines.add(line.toString());
    }
    return lines;
  }

  private static String description(Help help) {
    StringBuilder out = new StringBuilder();
    int width = help.commandSpec().usageMessage().width();
    for (String paragraph : paragraphs(help.commandSpec().usageMessage().description())) {
      wrap(paragraph, width).forEach(l -> out.append(l).append(System.lineSeparator()));
    }
    return out.toString();
  }

  private static String parameters(Help help) {
    List<Row> rows = new ArrayList<>();
    Help.IParameterRenderer renderer = help.createDefaultParameterRenderer();
    Help.IParamLabelRenderer labels = help.createDefaultParamLabelRenderer();
    for (CommandLine.Model.PositionalParamSpec p : help.commandSpec().positionalParameters()) {
      if (!p.hidden()) {
        rows.add(row(renderer.render(p, labels, help.colorScheme())));
      }
    }
    return table(rows, leftWidth(help), help.commandSpec().usageMessage().width());
  }

  private static String options(Help help) {
    List<OptionSpec> options = new ArrayList<>(help.commandSpec().options().stream().filter(o -> !o.hidden())
        .toList());
    if (help.commandSpec().usageMessage().sortOptions()) {
      options.sort(Comparator.comparing(o -> stripDashes(o.shortestName()).toLowerCase(Locale.ROOT)));
    }
    List<Row> rows = new ArrayList<>();
    Help.IOptionRenderer renderer = help.createDefaultOptionRenderer();
    Help.IParamLabelRenderer labels = help.createDefaultParamLabelRenderer();
    for (OptionSpec o : options) {
      rows.add(row(renderer.render(o, labels, help.colorScheme())));
    }
    return table(rows, leftWidth(help), help.commandSpec().usageMessage().width());
  }

  private static String commands(Help help) {
    Map<String, Help> subcommands = help.subcommands();
    if (subcommands.isEmpty()) {
      return "";
    }
    List<Row> rows = new ArrayList<>();
    int widest = 0;
    for (Map.Entry<String, Help> e : subcommands.entrySet()) {
      if (e.getValue().commandSpec().usageMessage().hidden()) {
        continue;
      }
      String left = "  " + e.getKey();
      widest = Math.max(widest, left.length());
      rows.add(new Row(left, summary(e.getValue().commandSpec())));
    }
    return table(rows, Math.min(widest, MAX_LEFT) + GAP, help.commandSpec().usageMessage().width());
  }

  /** One option or parameter: its names and label, and its description as one paragraph. */
  private record Row(String left, String description) {}

  private static Row row(Help.Ansi.Text[][] cells) {
    StringBuilder left = new StringBuilder();
    StringBuilder description = new StringBuilder();
    for (int r = 0; r < cells.length; r++) {
      Help.Ansi.Text[] row = cells[r];
      for (int c = 0; c < row.length - 1 && r == 0; c++) {
        left.append(pad(row[c].plainString(), c));
      }
      String d = row[row.length - 1].plainString().strip();
      if (!d.isEmpty()) {
        description.append(description.isEmpty() ? "" : " ").append(d);
      }
    }
    return new Row(left.toString().stripTrailing(), description.toString());
  }

  /** Picocli's first columns: required marker (2), short name (2), comma and space (2); then the long name. */
  private static String pad(String cell, int column) {
    int width = column < 3 ? 2 : 0;
    StringBuilder s = new StringBuilder(cell);
    while (s.length() < width) {
      s.append(' ');
    }
    return s.toString();
  }

  private static int leftWidth(Help help) {
    int widest = 0;
    Help.IOptionRenderer options = help.createDefaultOptionRenderer();
    Help.IParameterRenderer parameters = help.createDefaultParameterRenderer();
    Help.IParamLabelRenderer labels = help.createDefaultParamLabelRenderer();
    for (OptionSpec o : help.commandSpec().options()) {
      if (!o.hidden()) {
        widest = Math.max(widest, row(options.render(o, labels, help.colorScheme())).left().length());
      }
    }
    for (CommandLine.Model.PositionalParamSpec p : help.commandSpec().positionalParameters()) {
      if (!p.hidden()) {
        widest = Math.max(widest, row(parameters.render(p, labels, help.colorScheme())).left().length());
      }
    }
    return Math.min(widest, MAX_LEFT) + GAP;
  }

  private static String table(List<Row> rows, int left, int width) {
    StringBuilder out = new StringBuilder();
    String indent = " ".repeat(left);
    String continuation = " ".repeat(left + CONTINUATION);
    for (Row row : rows) {
      List<String> first = wrap(row.description(), width - left);
      boolean ownLine = row.left().length() + GAP > left;
      if (ownLine || first.isEmpty()) {
        out.append(row.left()).append(System.lineSeparator());
      }
      if (first.isEmpty()) {
        continue;
      }
      String head = first.getFirst();
      String rest = String.join(" ", first.subList(1, first.size()));
      out.append(ownLine ? indent : padTo(row.left(), left)).append(head).append(System.lineSeparator());
      for (String l : wrap(rest, width - left - CONTINUATION)) {
        out.append(continuation).append(l).append(System.lineSeparator());
      }
    }
    return out.toString();
  }

  private static String padTo(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }

  private static String stripDashes(String name) {
    int i = 0;
    while (i < name.length() && name.charAt(i) == '-') {
      i++;
    }
    return name.substring(i);
  }
}
