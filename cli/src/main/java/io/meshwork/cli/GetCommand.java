package io.meshwork.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.Kind;
import io.meshwork.model.Resource;
import io.meshwork.model.codec.ResourceWriter;
import io.meshwork.model.networking.DestinationRule;
import io.meshwork.model.networking.ServiceEntry;
import io.meshwork.model.networking.Subset;
import io.meshwork.model.networking.VirtualService;
import io.meshwork.model.networking.WorkloadEntry;
import io.meshwork.proxy.discovery.ControlPlaneClient;
import io.meshwork.proxy.discovery.ControlPlaneException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshwork get KIND [NAME]}: shows resources stored in the control plane, as kubectl does. */
@Command(
    name = "get",
    description = {
      "Shows resources of one kind from the control plane: a table by default, or YAML/JSON.",
      "KIND is a kind name in any of its forms: VirtualService, virtualservice, virtualservices, vs."
    },
    sortOptions = false,
    mixinStandardHelpOptions = true)
final class GetCommand implements Callable<Integer> {

  enum Format { YAML, JSON, WIDE }

  @Parameters(index = "0", paramLabel = "KIND", description = "The kind, e.g. vs, dr, se, we.")
  String kindName;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "One resource's name.")
  String name;

  @Option(names = {"-n", "--namespace"}, defaultValue = "default", paramLabel = "NS",
      description = "The namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = {"-A", "--all-namespaces"}, description = "List the kind in every namespace.")
  boolean allNamespaces;

  @Option(names = {"-o", "--output"}, paramLabel = "yaml|json|wide",
      description = "Output format: yaml, json, or wide (a table with more columns).")
  Format output;

  @Mixin ControlPlaneOptions controlPlane;

  @Mixin AdminCredentialOptions admin;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Kind kind = resolveKind(kindName);
    if (allNamespaces && name != null) {
      throw new UserError("-A: cannot be combined with NAME (expected: -n NS to look one resource up)",
          ExitCode.USAGE);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (ControlPlaneClient client = controlPlane.client(admin.credential())) {
      if (name != null) {
        Resource<?> found = client.get(kind, namespace, name)
            .orElseThrow(() -> new UserError(notFound(kind, namespace, name)));
        print(out, kind, List.of(found), false);
      } else {
        List<Resource<?>> items = client.list(kind, allNamespaces ? null : namespace).items();
        if (items.isEmpty() && output == null) {
          spec.commandLine().getErr().println(!allNamespaces && kind.namespaced()
              ? "No resources found in " + namespace + " namespace." : "No resources found.");
        } else {
          print(out, kind, items, true);
        }
      }
    } catch (ControlPlaneException e) {
      throw controlPlane.explain(e);
    }
    out.flush();
    return ExitCode.OK;
  }

  private void print(PrintWriter out, Kind kind, List<Resource<?>> items, boolean asList) {
    if (output == Format.YAML) {
      out.print(ResourceWriter.toYaml(items));
    } else if (output == Format.JSON) {
      out.println(json(items, asList));
    } else {
      out.print(table(kind, items, allNamespaces && kind.namespaced(), output == Format.WIDE));
    }
  }

  private static String json(List<Resource<?>> items, boolean asList) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      if (!asList) {
        return mapper.writeValueAsString(ResourceWriter.toJsonNode(items.getFirst()));
      }
      ObjectNode list = mapper.createObjectNode();
      list.put("apiVersion", "v1");
      list.put("kind", "List");
      ArrayNode array = list.putArray("items");
      items.forEach(r -> array.add(ResourceWriter.toJsonNode(r)));
      return mapper.writeValueAsString(list);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A kind-specific column: its header, its value, and whether only {@code -o wide} shows it. */
  private record Column(String header, Function<Resource<?>, String> value, boolean wide) {}

  static String table(Kind kind, List<Resource<?>> items, boolean withNamespace, boolean wide) {
    List<Column> columns = new ArrayList<>();
    if (withNamespace) {
      columns.add(new Column("NAMESPACE", Resource::namespace, false));
    }
    columns.add(new Column("NAME", Resource::name, false));
    // Objects carry no creation time; the revision tells what changed last, and is what watches resume from.
    columns.add(new Column("REVISION", r -> orNone(r.metadata().resourceVersion()), false));
    columns.addAll(summary(kind));
    List<Column> shown = columns.stream().filter(c -> wide || !c.wide()).toList();
    List<List<String>> rows = new ArrayList<>();
    rows.add(shown.stream().map(Column::header).toList());
    for (Resource<?> r : items) {
      rows.add(shown.stream().map(c -> orNone(c.value().apply(r))).toList());
    }
    int[] widths = new int[shown.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length() + 3));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private static List<Column> summary(Kind kind) {
    return switch (kind) {
      case VIRTUAL_SERVICE -> List.of(
          new Column("HOSTS", r -> join(spec(r, VirtualService.class).hosts()), false),
          new Column("GATEWAYS", r -> join(spec(r, VirtualService.class).gateways()), true),
          new Column("HTTP-ROUTES", r -> Integer.toString(spec(r, VirtualService.class).http().size()), true));
      case DESTINATION_RULE -> List.of(
          new Column("HOST", r -> spec(r, DestinationRule.class).host(), false),
          new Column("SUBSETS", r -> join(spec(r, DestinationRule.class).subsets().stream()
              .map(Subset::name).toList()), false));
      case WORKLOAD_ENTRY -> List.of(
          new Column("ADDRESS", r -> spec(r, WorkloadEntry.class).address(), false),
          new Column("PORTS", r -> pairs(spec(r, WorkloadEntry.class).ports(), ":"), false),
          new Column("LABELS", r -> pairs(spec(r, WorkloadEntry.class).labels(), "="), false),
          new Column("SERVICE-ACCOUNT", r -> spec(r, WorkloadEntry.class).serviceAccount(), true));
      case SERVICE_ENTRY -> List.of(
          new Column("HOSTS", r -> join(spec(r, ServiceEntry.class).hosts()), false),
          new Column("ENDPOINTS", r -> join(spec(r, ServiceEntry.class).endpoints().stream()
              .map(WorkloadEntry::address).toList()), false),
          new Column("LOCATION", r -> String.valueOf(spec(r, ServiceEntry.class).location()), true),
          new Column("RESOLUTION", r -> String.valueOf(spec(r, ServiceEntry.class).resolution()), true));
      default -> List.of(new Column("LABELS", r -> pairs(r.metadata().labels(), "="), true));
    };
  }

  private static <S> S spec(Resource<?> r, Class<S> type) {
    return type.cast(r.spec());
  }

  private static String join(Collection<String> values) {
    return values == null ? "" : String.join(",", values);
  }

  private static String pairs(Map<String, ?> map, String separator) {
    return map == null ? "" : map.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + separator + e.getValue()).collect(Collectors.joining(","));
  }

  private static String orNone(String value) {
    return value == null || value.isEmpty() || value.equals("null") ? "<none>" : value;
  }

  /** The kind a user named in any of its forms, or a usage error listing the kinds there are. */
  static Kind resolveKind(String name) {
    Optional<Kind> kind = Kind.byName(name);
    if (kind.isEmpty()) {
      String known = Arrays.stream(Kind.values())
          .map(k -> k.kindName() + " (" + k.shortName() + ")").collect(Collectors.joining(", "));
      throw new UserError("unknown kind \"" + name + "\" (expected: one of " + known + ")", ExitCode.USAGE);
    }
    return kind.get();
  }

  /** How a resource is named in output, as kubectl does: "virtualservice/product-service". */
  static String label(Kind kind, String name) {
    return kind.kindName().toLowerCase(Locale.ROOT) + "/" + name;
  }

  static String notFound(Kind kind, String namespace, String name) {
    String what = kind.kindName().toLowerCase(Locale.ROOT) + " \"" + name + "\" not found";
    return kind.namespaced() ? what + " in namespace " + namespace : what;
  }
}
