package io.meshwork.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.model.Diagnostic;
import io.meshwork.model.DirectoryResult;
import io.meshwork.model.ParseResult;
import io.meshwork.model.validation.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How sources reach the parser: bytes that are not UTF-8, the same resource in two files, large sources, options. */
class SourceInputTest {

  private static String serviceEntry(String name, String namespaceLine) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: %s
        %s
        spec:
          hosts: [%s.example]
          ports:
          - {number: 80, name: http, protocol: HTTP}
          resolution: DNS
        """.formatted(name, namespaceLine, name);
  }

  @Test
  void bytesThatAreNotUtf8AreAnErrorAtTheirLineAndColumn(@TempDir Path dir) throws IOException {
    byte[] latin1 = serviceEntry("caf\u00e9", "").getBytes(StandardCharsets.ISO_8859_1);
    Path file = Files.write(dir.resolve("latin1.yaml"), latin1);

    ParseResult result = ResourceParser.parse(file);

    assertThat(result.resources()).isEmpty();
    assertThat(result.errors()).hasSize(1);
    assertThat(result.errors().getFirst().format()).isEqualTo(file + ":4:12: error: byte 0xE9 is not UTF-8"
        + " (expected: a UTF-8 file; convert it, e.g. with iconv -f latin1 -t utf-8)");
  }

  @Test
  void aUtf8ByteOrderMarkIsNotPartOfTheText(@TempDir Path dir) throws IOException {
    byte[] text = serviceEntry("bom", "").getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[text.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(text, 0, withBom, 3, text.length);

    ParseResult result = ResourceParser.parse(Files.write(dir.resolve("bom.yaml"), withBom));

    assertThat(result.report()).isEmpty();
    assertThat(result.resources()).hasSize(1);
  }

  @Test
  void theSameResourceInTwoFilesOfAFolderIsAnErrorNamingBothFiles(@TempDir Path dir) throws IOException {
    Path first = Files.writeString(dir.resolve("a.yaml"), serviceEntry("orders", ""));
    Path second = Files.writeString(dir.resolve("b.yaml"), serviceEntry("payments", "") + "---\n"
        + serviceEntry("orders", ""));

    DirectoryResult result = ResourceParser.parseDirectory(dir);

    assertThat(result.errors()).hasSize(1);
    assertThat(result.errors().getFirst().format()).isEqualTo(second + ":12:1: error: metadata.name: \"orders\""
        + " (expected: each resource defined once; ServiceEntry/default/orders is also defined at " + first + ":1)");
    assertThat(result.files().get(first).resources()).hasSize(1);
    assertThat(result.files().get(second).resources()).isEmpty();
  }

  @Test
  void sameNameInAnotherNamespaceIsNoDuplicate(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a.yaml"), serviceEntry("orders", ""));
    Files.writeString(dir.resolve("b.yaml"), serviceEntry("orders", "  namespace: shop"));

    assertThat(ResourceParser.parseDirectory(dir).diagnostics()).isEmpty();
  }

  @Test
  void aDocumentGivenTwiceInOneSourceNamesTheFirstLine() {
    ParseResult result = ResourceParser.parse("twice.yaml", serviceEntry("a", "") + "---\n" + serviceEntry("a", ""));

    assertThat(result.warnings()).singleElement().satisfies(w -> assertThat(w.format()).isEqualTo(
        "twice.yaml:15:3: warning: metadata.name: \"a\" (expected: one document per resource; ServiceEntry/default/a"
            + " appears twice in this source, first at line 1, and the later one wins)"));
  }

  @Test
  void theDefaultNamespaceAppliesOnlyWhereNoneIsWritten() {
    ParseResult result = ResourceParser.parse("ns.yaml", serviceEntry("a", "") + "---\n"
        + serviceEntry("b", "  namespace: shop"), ParseOptions.DEFAULTS.withDefaultNamespace("staging"));

    assertThat(result.resources()).extracting(r -> r.namespace()).containsExactly("staging", "shop");
  }

  @Test
  void reviewFindingsAreLocatedAtTheirField() {
    ParseOptions options = ParseOptions.DEFAULTS.withReview(r -> List.of(
        Violation.notice("spec.resolution", "is accepted but not enforced yet")));

    ParseResult result = ResourceParser.parse("notes.yaml", serviceEntry("a", ""), options);

    assertThat(result.resources()).hasSize(1);
    assertThat(result.warnings()).singleElement().satisfies(n -> {
      assertThat(n.severity()).isEqualTo(Diagnostic.Severity.NOTICE);
      assertThat(n.format()).isEqualTo("notes.yaml:10:3: notice: spec.resolution is accepted but not enforced yet");
    });
  }

  @Test
  @Timeout(120)
  void twentyThousandDocumentsParseInLinearTime() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      text.append(serviceEntry("svc-" + i, "")).append("---\n");
    }

    ParseResult result = ResourceParser.parse("big.yaml", text.toString());

    assertThat(result.report()).isEmpty();
    assertThat(result.resources()).hasSize(20_000);
    assertThat(result.lineOf(result.resources().get(19_999))).isEqualTo(19_999 * 11 + 1);
  }

  /** Inputs that make Jackson and SnakeYAML talk about themselves; none of that may reach a user. */
  @Test
  void parserInternalsNeverReachTheMessage() {
    List<String[]> inputs = List.of(
        new String[] {"a.json", "{\"kind\": \"ServiceEntry\", // comment\n}"},
        new String[] {"a.json", "{\"kind\": \"ServiceEntry\", \"kind\": \"VirtualService\"}"},
        new String[] {"a.json", "{\"kind\": \"Service\tEntry\"}"},
        new String[] {"a.json", "{\"kind\": \"\\q\"}"},
        new String[] {"a.json", "{\"kind\": nope}"},
        new String[] {"a.json", "{\"kind\": \"x\""},
        new String[] {"a.json", "{\"kind\": \"x\"]"},
        new String[] {"a.json", "{\"spec\": {\"x\": 01}}"},
        new String[] {"a.json", "[1, 2,, 3]"},
        new String[] {"a.yaml", "kind: a\nkind: b\n"},
        new String[] {"a.yaml", "a: [1, 2\n"},
        new String[] {"a.yaml", "a:\n\t- b\n"},
        new String[] {"a.yaml", "a: *unknown\n"},
        new String[] {"a.yaml", "a: b: c\n"},
        new String[] {"a.yaml", "- a\nb: c\n"},
        new String[] {"a.yaml", "a: 'unterminated\n"},
        new String[] {"a.yaml", "spec:\n  hosts: [a]\n  bad: \"\\q\"\n"},
        new String[] {"a.yaml", "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: a}\n"
            + "spec: {hosts: [a], ports: [{number: 99999999999999999999, name: x}]}\n"},
        new String[] {"a.yaml", "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a}\n"
            + "spec: {hosts: [a], http: [{timeout: {a: b}}]}\n"});
    List<String> messages = new ArrayList<>();
    for (String[] input : inputs) {
      ParseResult result = ResourceParser.parse(input[0], input[1]);
      assertThat(result.errors()).as(input[1]).isNotEmpty();
      result.errors().forEach(d -> messages.add(d.format()));
    }
    assertThat(messages).allSatisfy(m -> {
      assertThat(m).matches("a\\.(json|yaml):\\d+(:\\d+)?: error: .*");
      assertThat(m).doesNotContainIgnoringCase("jackson").doesNotContain("fasterxml").doesNotContain("snakeyaml")
          .doesNotContain("Feature").doesNotContain("Exception").doesNotContain("reference chain")
          .doesNotContain("[Source:").doesNotContain("`").doesNotContain("(code ").doesNotContain("Constraints")
          .doesNotContain("JsonToken").doesNotContain("START_OBJECT");
    });
  }
}
