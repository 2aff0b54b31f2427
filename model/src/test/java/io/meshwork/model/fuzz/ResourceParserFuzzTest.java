package io.meshwork.model.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceParser;
import io.meshwork.model.codec.ResourceWriter;
import java.nio.charset.StandardCharsets;

/**
 * Arbitrary text into the resource parser, read as YAML and as JSON. Invariants: it never throws
 * (problems come back as diagnostics); a source with errors yields no resource; every resource it
 * returns is written and read back unchanged.
 */
class ResourceParserFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void resourceParser(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    check(ResourceParser.parse("fuzz.yaml", text));
    check(ResourceParser.parse("fuzz.json", text));
  }

  private static void check(ParseResult result) {
    if (result.hasErrors()) {
      assertThat(result.resources()).isEmpty();
      return;
    }
    for (Resource<?> resource : result.resources()) {
      String yaml = ResourceWriter.toYaml(resource);
      ParseResult again = ResourceParser.parse("written.yaml", yaml);
      assertThat(again.errors()).as("%s\n%s", again.report(), yaml).isEmpty();
      assertThat(again.resources()).as(yaml).containsExactly(resource);
    }
  }
}
