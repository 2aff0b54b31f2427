package io.meshwork.model.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.model.Diagnostic;
import io.meshwork.model.DirectoryResult;
import io.meshwork.model.Kind;
import io.meshwork.model.ObjectMeta;
import io.meshwork.model.ParseResult;
import io.meshwork.model.Resource;
import io.meshwork.model.Spec;
import io.meshwork.model.codec.SourceReader.Document;
import io.meshwork.model.validation.FieldPath;
import io.meshwork.model.validation.ResourceValidator;
import io.meshwork.model.validation.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads configuration sources: multi-document YAML ({@code ---}), concatenated JSON objects, a JSON
 * array of resources, and Kubernetes lists ({@code kind: List} with {@code items}). Empty documents are
 * skipped. Every document is bound, then validated by {@link ResourceValidator}; each diagnostic names
 * the source, line, column and field. A source applies as a whole: one error anywhere in it and
 * {@link ParseResult#resources()} is empty. Thread-safe.
 */
public final class ResourceParser {
  private static final Set<String> ENVELOPE = Set.of("apiVersion", "kind", "metadata", "spec", "status");

  private ResourceParser() {}

  /** Parses one source; {@code sourceName} labels diagnostics and picks JSON when it ends in ".json". */
  public static ParseResult parse(String sourceName, String text) {
    Context ctx = new Context(sourceName);
    List<Document> documents;
    try {
      documents = SourceReader.read(sourceName, text);
    } catch (JsonProcessingException e) {
      SyntaxProblem problem = SyntaxProblem.of(e);
      String format = SourceReader.isJson(sourceName, text) ? "JSON" : "YAML";
      ctx.diagnostics.add(Diagnostic.error(sourceName, problem.line(), problem.column(), "",
          "invalid " + format + ": " + problem.message()));
      return ctx.result();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Document doc : documents) {
      if (doc.root().isArray()) {
        for (int i = 0; i < doc.root().size(); i++) {
          readResource(ctx, doc, FieldPath.index("", i), doc.root().get(i));
        }
      } else {
        readResource(ctx, doc, "", doc.root());
      }
    }
    return ctx.result();
  }

  /** Parses a file; an unreadable file gives one error diagnostic. */
  public static ParseResult parse(Path file) {
    String name = file.toString();
    try {
      return parse(name, Files.readString(file));
    } catch (IOException e) {
      return new ParseResult(List.of(), List.of(Diagnostic.error(name, 0, 0, "",
          "cannot read: " + e.getClass().getSimpleName() + " " + e.getMessage())));
    }
  }

  /**
   * Parses every *.yaml, *.yml and *.json file directly in {@code dir}, in name order. Each file is
   * accepted or rejected on its own: an error in one file rejects that file only.
   */
  public static DirectoryResult parseDirectory(Path dir) {
    TreeMap<Path, ParseResult> files = new TreeMap<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries.filter(Files::isRegularFile).filter(ResourceParser::isConfigFile).sorted()
          .forEach(f -> files.put(f, parse(f)));
    } catch (IOException e) {
      files.put(dir, new ParseResult(List.of(), List.of(Diagnostic.error(dir.toString(), 0, 0, "",
          "cannot list directory: " + e.getClass().getSimpleName() + " " + e.getMessage()))));
    }
    return new DirectoryResult(files);
  }

  /**
   * Reads exactly one resource from JSON (an API request body), validated.
   *
   * @throws InvalidResourceException with every diagnostic when it is invalid or not exactly one resource
   */
  public static Resource<?> fromJson(String json) {
    ParseResult result = parse("request.json", json);
    if (result.hasErrors()) {
      throw new InvalidResourceException(result.diagnostics());
    }
    if (result.resources().size() != 1) {
      throw new InvalidResourceException(List.of(Diagnostic.error("request.json", 1, 1, "",
          result.resources().size() + " resources (expected: exactly one)")));
    }
    return result.resources().getFirst();
  }

  static boolean isConfigFile(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }

  private static void readResource(Context ctx, Document doc, String prefix, JsonNode node) {
    if (!node.isObject()) {
      ctx.report(doc, Violation.error(prefix, BindingProblems.render(node)
          + " (expected: a resource with apiVersion, kind, metadata and spec)"));
      return;
    }
    String kindName = node.path("kind").asText(null);
    JsonNode items = node.get("items");
    if (kindName != null && kindName.endsWith("List") && items != null && items.isArray()) {
      for (int i = 0; i < items.size(); i++) {
        readResource(ctx, doc, FieldPath.index(FieldPath.child(prefix, "items"), i), items.get(i));
      }
      return;
    }
    String apiVersion = node.path("apiVersion").asText(null);
    List<Violation> found = new ArrayList<>();
    if (apiVersion == null || apiVersion.isEmpty()) {
      found.add(Violation.error(FieldPath.child(prefix, "apiVersion"),
          "missing (expected: the kind's API version, e.g. networking.istio.io/v1)"));
    }
    if (kindName == null || kindName.isEmpty()) {
      found.add(Violation.error(FieldPath.child(prefix, "kind"),
          "missing (expected: one of " + Kind.knownKinds() + ")"));
    }
    if (!found.isEmpty()) {
      ctx.report(doc, found);
      return;
    }
    Kind kind = Kind.of(apiVersion, kindName).orElse(null);
    if (kind == null) {
      ctx.report(doc, unknownKind(prefix, apiVersion, kindName));
      return;
    }
    node.fieldNames().forEachRemaining(f -> {
      if (!ENVELOPE.contains(f)) {
        found.add(Violation.warning(FieldPath.child(prefix, f),
            "unknown field, ignored (expected: one of apiVersion, kind, metadata, spec)"));
      }
    });
    ObjectMeta meta = bindRequired(node, prefix, "metadata", ObjectMeta.class, "a mapping with name", found);
    if (meta != null && (meta.name() == null || meta.name().isEmpty())) {
      found.add(Violation.error(FieldPath.child(FieldPath.child(prefix, "metadata"), "name"),
          "missing (expected: a DNS-1123 subdomain such as product-service)"));
    }
    Spec spec;
    if (node.get("spec") == null && kind == Kind.NAMESPACE) {
      spec = bind(ModelMapper.json().createObjectNode(), kind.specType(), FieldPath.child(prefix, "spec"), found);
    } else {
      spec = bindRequired(node, prefix, "spec", kind.specType(), "a mapping", found);
    }
    if (!kind.meaningful()) {
      found.add(Violation.warning(FieldPath.child(prefix, "kind"), kindName + " " + meaningOutsideKubernetes(kind)));
    }
    boolean bindingFailed = found.stream().anyMatch(v -> v.severity() == Diagnostic.Severity.ERROR);
    if (!bindingFailed && meta != null && spec != null) {
      Resource<?> resource = new Resource<>(apiVersion, kind, meta, spec);
      for (Violation v : ResourceValidator.validate(resource)) {
        found.add(new Violation(v.severity(), join(prefix, v.field()), v.message()));
      }
      ctx.resources.stream().filter(r -> r.key().equals(resource.key())).findFirst().ifPresent(earlier ->
          found.add(Violation.warning(FieldPath.child(FieldPath.child(prefix, "metadata"), "name"),
              BindingProblems.quote(resource.name()) + " (expected: one document per resource; " + resource.key()
                  + " appears twice in this source and the later one wins)")));
      ctx.resources.removeIf(r -> r.key().equals(resource.key()));
      ctx.resources.add(resource);
    }
    ctx.report(doc, found);
  }

  private static String meaningOutsideKubernetes(Kind kind) {
    return kind == Kind.ISTIO_OPERATOR
        ? "(accepted: means nothing outside Kubernetes; only spec.meshConfig accessLogFile, accessLogEncoding,"
            + " accessLogFormat and enableTracing are honoured)"
        : "(accepted: means nothing outside Kubernetes and is ignored; namespaces exist once a resource names them)";
  }

  private static List<Violation> unknownKind(String prefix, String apiVersion, String kindName) {
    List<Kind> sameName = Arrays.stream(Kind.values()).filter(k -> k.kindName().equals(kindName)).toList();
    if (!sameName.isEmpty()) {
      Kind k = sameName.getFirst();
      String versions = String.join(", ", k.versions().stream().map(k::apiVersion).toList());
      return List.of(Violation.error(FieldPath.child(prefix, "apiVersion"),
          apiVersion + " (expected: for " + kindName + ", one of " + versions + ")"));
    }
    return List.of(Violation.error(FieldPath.child(prefix, "kind"),
        kindName + " (expected: one of " + Kind.knownKinds() + ")"));
  }

  private static <T> T bindRequired(JsonNode node, String prefix, String field, Class<T> type, String expected,
      List<Violation> found) {
    JsonNode child = node.get(field);
    String path = FieldPath.child(prefix, field);
    if (child == null || child.isNull()) {
      found.add(Violation.error(path, "missing (expected: " + expected + ")"));
      return null;
    }
    if (!child.isObject()) {
      found.add(Violation.error(path, BindingProblems.render(child) + " (expected: " + expected + ")"));
      return null;
    }
    return bind(child, type, path, found);
  }

  private static <T> T bind(JsonNode node, Class<T> type, String path, List<Violation> found) {
    try {
      T value = ModelMapper.json().readerFor(type).readValue(node);
      UnknownFields.find(node, type, path, found);
      return value;
    } catch (JsonMappingException e) {
      found.add(BindingProblems.toViolation(path, node, e));
      return null;
    } catch (IOException e) {
      found.add(Violation.error(path, "unreadable (expected: " + BindingProblems.expected(type) + "): "
          + firstLine(e.getMessage())));
      return null;
    }
  }

  static String join(String prefix, String field) {
    if (prefix.isEmpty()) {
      return field;
    }
    if (field.isEmpty()) {
      return prefix;
    }
    return field.startsWith("[") ? prefix + field : prefix + "." + field;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    return message.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
  }

  /** Accumulates one source's resources and diagnostics. */
  private static final class Context {
    final String source;
    final List<Resource<?>> resources = new ArrayList<>();
    final List<Diagnostic> diagnostics = new ArrayList<>();

    Context(String source) {
      this.source = source;
    }

    void report(Document doc, Violation v) {
      LocationIndex.Location at = doc.locations().find(v.field());
      diagnostics.add(new Diagnostic(v.severity(), source, at.line(), at.column(), v.field(), v.message()));
    }

    void report(Document doc, List<Violation> vs) {
      vs.forEach(v -> report(doc, v));
    }

    ParseResult result() {
      return new ParseResult(resources, diagnostics);
    }
  }
}
