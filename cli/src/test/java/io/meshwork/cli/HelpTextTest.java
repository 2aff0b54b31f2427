package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Every {@code --help} at 80 columns: no word cut at a line end, every description and summary whole. */
class HelpTextTest {
  private static final int WIDTH = 80;

  private static List<CommandLine> everyCommand(CommandLine root) {
    List<CommandLine> all = new ArrayList<>();
    all.add(root);
    root.getSubcommands().values().forEach(c -> all.addAll(everyCommand(c)));
    return all;
  }

  private static String help(CommandLine command) {
    return command.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  /** Whitespace-normalised, so that a description matches however it was wrapped, as long as no word was cut. */
  private static String flat(String text) {
    return String.join(" ", text.strip().split("\\s+"));
  }

  private static String description(ArgSpec arg) {
    String text = String.join(" ", arg.description());
    return text.replace("${DEFAULT-VALUE}", String.valueOf(arg.defaultValueString()));
  }

  @Test
  void noDescriptionIsCutMidWordAt80Columns() {
    CommandLine root = Main.commandLine();
    root.setUsageHelpAutoWidth(false);
    root.setUsageHelpWidth(WIDTH);
    List<CommandLine> commands = everyCommand(root);
    assertThat(commands).hasSizeGreaterThan(8);
    for (CommandLine command : commands) {
      CommandSpec spec = command.getCommandSpec();
      String help = help(command);
      String flat = flat(help);
      for (String line : help.lines().toList()) {
        boolean oneLongWord = line.strip().split("\\s+").length == 1;
        assertThat(line.length() <= WIDTH || oneLongWord).as(spec.qualifiedName() + ": " + line).isTrue();
      }
      for (ArgSpec arg : spec.args()) {
        if (!arg.hidden() && arg.description().length > 0) {
          assertThat(flat).as(spec.qualifiedName() + " " + arg).contains(flat(description(arg)));
        }
      }
      for (String paragraph : HelpText.paragraphs(spec.usageMessage().description())) {
        assertThat(flat).as(spec.qualifiedName() + " description").contains(flat(paragraph));
      }
      for (CommandLine sub : command.getSubcommands().values()) {
        String summary = HelpText.summary(sub.getCommandSpec());
        assertThat(summary).as(sub.getCommandSpec().qualifiedName() + " summary").endsWith(".");
        assertThat(flat).as(spec.qualifiedName() + " lists " + sub.getCommandName()).contains(flat(summary));
      }
    }
  }

  @Test
  void aSentenceSplitAcrossDescriptionLinesIsOneParagraph() {
    assertThat(HelpText.paragraphs(new String[] {"Runs the thing: the store, the API that", "sidecars use.",
        "Stops on Ctrl-C."})).containsExactly("Runs the thing: the store, the API that sidecars use.",
        "Stops on Ctrl-C.");
    assertThat(HelpText.wrap("default: https://127.0.0.1:15010).", 20))
        .containsExactly("default:", "https://127.0.0.1:15010).");
  }
}
