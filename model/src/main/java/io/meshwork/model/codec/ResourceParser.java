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
import io.meshwork.model.dapr.Component;
import io.meshwork.model.validation.FieldPath;
import io.meshwork.model.validation.ResourceValidator;
import io.meshwork.model.validation.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
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
  /** Dapr writes a component's scopes beside its spec. */
  static final String SCOPES = "scopes";

  private ResourceParser() {}

  /** Parses one source; {@code sourceName} labels diagnostics and picks JSON when it ends in ".json". */
  public static ParseResult parse(String sourceName, String text) {
    return parse(sourceName, text, ParseOptions.DEFAULTS);
  }

  public static ParseResult parse(String sourceName, String text, ParseOptions options) {
    Context ctx = new Context(sourceName, options);
    try {
      SourceReader.read(sourceName, text, doc -> readDocument(ctx, doc));
    } catch (JsonProcessingException e) {
      SyntaxProblem problem = SyntaxProblem.of(e);
      String format = SourceReader.isJson(sourceName, text) ? "JSON" : "YAML";
      ctx.diagnostics.add(Diagnostic.error(sourceName, problem.line(), problem.column(), "",
          "invalid " + format + ": " + problem.message()));
    } catch (IOException e) {
      // The text is in memory: only a parser failure without a location gets here.
      ctx.diagnostics.add(Diagnostic.error(sourceName, 0, 0, "", "unreadable: " + SyntaxProblem.describe(e)));
    }
    return ctx.result();
  }

  /** Parses the bytes of a source (a file, standard input), which must be UTF-8. */
  public static ParseResult parse(String sourceName, byte[] bytes, ParseOptions options) {
    return switch (SourceText.decode(sourceName, bytes)) {
      case SourceText.Text t -> parse(sourceName, t.text(), options);
      case SourceText.Invalid i -> new ParseResult(List.of(), List.of(i.error()));
    };
  }

  /** Parses a file; an unreadable file gives one error diagnostic. */
  public static ParseResult parse(Path file) {
    return parse(file, ParseOptions.DEFAULTS);
  }

  public static ParseResult parse(Path file, ParseOptions options) {
    String name = file.toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      return new ParseResult(List.of(), List.of(Diagnostic.error(name, 0, 0, "", "cannot read: " + reason(e))));
    }
    return parse(name, bytes, options);
  }

  /**
   * Parses every *.yaml, *.yml and *.json file directly in {@code dir}, in name order. Each file is
   * accepted or rejected on its own: an error in one file rejects that file only. A resource defined in
   * two files is an error in the later one, naming both files and lines: which one should win is a guess
   * the reader of the folder could not check.
   */
  public static DirectoryResult parseDirectory(Path dir) {
    return parseDirectory(dir, ParseOptions.DEFAULTS);
  }

  public static DirectoryResult parseDirectory(Path dir, ParseOptions options) {
    TreeMap<Path, ParseResult> files = new TreeMap<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries.filter(Files::isRegularFile).filter(ResourceParser::isConfigFile).sorted()
          .forEach(f -> files.put(f, parse(f, options)));
    } catch (IOException e) {
      files.put(dir, new ParseResult(List.of(), List.of(Diagnostic.error(dir.toString(), 0, 0, "",
          "cannot list the folder: " + reason(e)))));
    }
    return new DirectoryResult(rejectDuplicates(files));
  }

  /** Turns a resource defined again in a later source into an error of that source. */
  public static SortedMap<Path, ParseResult> rejectDuplicates(SortedMap<Path, ParseResult> sources) {
    Map<String, String> firstSeen = new HashMap<>();
    TreeMap<Path, ParseResult> out = new TreeMap<>();
    sources.forEach((path, result) -> {
      List<Diagnostic> duplicates = new ArrayList<>();
      for (Resource<?> r : result.resources()) {
        int line = result.lineOf(r);
        String here = path + (line > 0 ? ":" + line : "");
        String earlier = firstSeen.putIfAbsent(r.key(), here);
        if (earlier != null) {
          duplicates.add(duplicate(path.toString(), line, r, earlier));
        }
      }
      if (duplicates.isEmpty()) {
        out.put(path, result);
      } else {
        List<Diagnostic> all = new ArrayList<>(result.diagnostics());
        all.addAll(duplicates);
        out.put(path, new ParseResult(List.of(), all));
      }
    });
    return out;
  }

  /** The error for {@code r}, defined at {@code source:line}, when {@code earlier} ("file:line") defined it first. */
  public static Diagnostic duplicate(String source, int line, Resource<?> r, String earlier) {
    return Diagnostic.error(source, line, line > 0 ? 1 : 0, "metadata.name", BindingProblems.quote(r.name())
        + " (expected: each resource defined once; " + r.key() + " is also defined at " + earlier + ")");
  }

  /** A parser or I/O failure as one line in the project's words, for callers that read JSON themselves. */
  public static String syntaxMessage(IOException e) {
    return SyntaxProblem.describe(e);
  }

  /** An I/O failure in the project's words: "no such file", "permission denied", "is a directory". */
  static String reason(IOException e) {
    return switch (e) {
      case java.nio.file.NoSuchFileException n -> "no such file or folder";
      case java.nio.file.AccessDeniedException a -> "permission denied";
      case java.nio.file.NotDirectoryException n -> "not a folder";
      default -> SyntaxProblem.describe(e);
    };
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

  private static void readDocument(Context ctx, Document doc) {
    if (doc.root().isArray()) {
      for (int i = 0; i < doc.root().size(); i++) {
        readResource(ctx, doc, FieldPath.index("", i), doc.root().get(i));
      }
    } else {
      readResource(ctx, doc, "", doc.root());
    }
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
      if (!ENVELOPE.contains(f) && !(kind == Kind.COMPONENT && f.equals(SCOPES))) {
        found.add(Violation.warning(FieldPath.child(prefix, f),
            "unknown field, ignored (expected: one of apiVersion, kind, metadata, spec)"));
      }
    });
    ObjectMeta meta = bindRequired(node, prefix, "metadata", ObjectMeta.class, "a mapping with name", found);
    if (meta != null && kind.namespaced() && !node.path("metadata").has("namespace")) {
      meta = new ObjectMeta(meta.name(), ctx.options.defaultNamespace(), meta.labels(), meta.annotations(),
          meta.resourceVersion(), meta.generation());
    }
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
    if (kind == Kind.COMPONENT && spec instanceof Component component) {
      spec = withScopes(component, node, prefix, found);
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
      boolean valid = found.stream().noneMatch(v -> v.severity() == Diagnostic.Severity.ERROR);
      if (valid) {
        for (Violation v : ctx.options.review().apply(resource)) {
          found.add(new Violation(v.severity(), join(prefix, v.field()), v.message()));
        }
      }
      String nameField = FieldPath.child(FieldPath.child(prefix, "metadata"), "name");
      Integer earlierLine = ctx.lines.get(resource.key());
      if (ctx.resources.remove(resource.key()) != null) {
        found.add(Violation.warning(nameField, BindingProblems.quote(resource.name())
            + " (expected: one document per resource; " + resource.key() + " appears twice in this source, first at"
            + " line " + earlierLine + ", and the later one wins)"));
      }
      ctx.resources.put(resource.key(), resource);
      ctx.lines.put(resource.key(), doc.locations().find(prefix).line());
    }
    ctx.report(doc, found);
  }

  /** The component with the scopes written beside its spec; scopes inside the spec are not Dapr's and are refused. */
  private static Component withScopes(Component component, JsonNode node, String prefix, List<Violation> found) {
    if (!component.scopes().isEmpty() || node.path("spec").has(SCOPES)) {
      found.add(Violation.error(FieldPath.child(FieldPath.child(prefix, "spec"), SCOPES),
          "inside spec (expected: scopes beside spec, at the top of the document, as Dapr writes them)"));
      return component;
    }
    JsonNode scopes = node.get(SCOPES);
    if (scopes == null || scopes.isNull()) {
      return component;
    }
    String path = FieldPath.child(prefix, SCOPES);
    if (!scopes.isArray()) {
      found.add(Violation.error(path, BindingProblems.render(scopes) + " (expected: a list of app ids)"));
      return component;
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < scopes.size(); i++) {
      JsonNode id = scopes.get(i);
      if (!id.isTextual()) {
        found.add(Violation.error(FieldPath.index(path, i), BindingProblems.render(id) + " (expected: an app id)"));
      } else {
        ids.add(id.asText());
      }
    }
    return component.withScopes(ids);
  }

  private static String meaningOutsideKubernetes(Kind kind) {
    return kind == Kind.ISTIO_OPERATOR
        ? "(accepted: means nothing outside Kubernetes; spec.meshConfig outboundTrafficPolicy.mode, accessLogFile,"
            + " accessLogEncoding and accessLogFormat are honoured; enableTracing is stored but sidecars do not"
            + " apply it yet)"
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
          + SyntaxProblem.describe(e)));
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

  /** Accumulates one source's resources and diagnostics. */
  private static final class Context {
    final String source;
    final ParseOptions options;
    /** By key, in the order first defined; a later document of the same key replaces the earlier one. */
    final Map<String, Resource<?>> resources = new LinkedHashMap<>();
    final Map<String, Integer> lines = new HashMap<>();
    final List<Diagnostic> diagnostics = new ArrayList<>();

    Context(String source, ParseOptions options) {
      this.source = source;
      this.options = options;
    }

    void report(Document doc, Violation v) {
      LocationIndex.Location at = doc.locations().find(v.field());
      diagnostics.add(new Diagnostic(v.severity(), source, at.line(), at.column(), v.field(), v.message()));
    }

    void report(Document doc, List<Violation> vs) {
      vs.forEach(v -> report(doc, v));
    }

    ParseResult result() {
      return new ParseResult(List.copyOf(resources.values()), diagnostics, lines);
    }
  }
}
