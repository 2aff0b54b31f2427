package io.meshwork.control.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.model.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The body of {@code GET /apis}: Kubernetes' APIGroupList, so clients can see which groups and versions exist. */
final class ApiDiscovery {

    private ApiDiscovery() {
    }

    static ObjectNode groups(ObjectMapper json) {
        Map<String, List<String>> versions = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            if (!k.group().isEmpty()) {
                versions.putIfAbsent(k.group(), k.versions());
            }
        }
        ObjectNode out = json.createObjectNode();
        out.put("kind", "APIGroupList");
        out.put("apiVersion", "v1");
        ArrayNode groups = out.putArray("groups");
        versions.forEach((group, vs) -> {
            ObjectNode g = groups.addObject();
            g.put("name", group);
            ArrayNode list = g.putArray("versions");
            for (String v : vs) {
                list.addObject().put("groupVersion", group + "/" + v).put("version", v);
            }
            String preferred = vs.get(vs.size() - 1);
            g.putObject("preferredVersion").put("groupVersion", group + "/" + preferred).put("version", preferred);
        });
        return out;
    }
}
