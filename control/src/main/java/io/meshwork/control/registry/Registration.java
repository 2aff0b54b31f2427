package io.meshwork.control.registry;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A workload announcing itself: service {@code service} is reachable at {@code address} on {@code ports}
 * (port name → number, Istio's WorkloadEntry.ports), for {@code ttlSeconds} unless renewed.
 *
 * @param labels extra labels; {@code app=<service>} is always added, as Istio's convention for the service name
 */
public record Registration(String service, String address, Map<String, Integer> ports, Map<String, String> labels,
        long ttlSeconds) {

    public static final long MIN_TTL_SECONDS = 1;
    public static final long MAX_TTL_SECONDS = 3600;

    /** A DNS-1123 label: what Istio and Kubernetes accept as a service name. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public Registration {
        Objects.requireNonNull(ports, "ports");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (service == null || !DNS_LABEL.matcher(service).matches()) {
            throw new InvalidRegistrationException("service", service + " (expected: a DNS-1123 label such as orders)");
        }
        if (address == null || address.isBlank()) {
            throw new InvalidRegistrationException("address", address + " (expected: an IP address or host name)");
        }
        if (ports.isEmpty()) {
            throw new InvalidRegistrationException("ports", "{} (expected: at least one port)");
        }
        ports.forEach((name, number) -> {
            if (number == null || number < 1 || number > 65535) {
                throw new InvalidRegistrationException("ports." + name, number + " (expected: 1..65535)");
            }
        });
        ports = Map.copyOf(ports);
        if (ttlSeconds < MIN_TTL_SECONDS || ttlSeconds > MAX_TTL_SECONDS) {
            throw new InvalidRegistrationException("ttlSeconds",
                    ttlSeconds + " (expected: " + MIN_TTL_SECONDS + ".." + MAX_TTL_SECONDS + ")");
        }
    }

    /** The port that names the entry: the lowest number, so a re-registration with the same ports finds it. */
    public int primaryPort() {
        return ports.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
    }

    /**
     * The WorkloadEntry's name: service, address and primary port, as a DNS-1123 subdomain. The same workload
     * registering again maps to the same name, which makes a repeated registration an update.
     */
    public String entryName() {
        String raw = service + "-" + address.toLowerCase(Locale.ROOT) + "-" + primaryPort();
        String name = raw.replaceAll("[^a-z0-9-]", "-").replaceAll("-{2,}", "-").replaceAll("^-|-$", "");
        return name.length() <= 253 ? name : name.substring(0, 253).replaceAll("-$", "");
    }

    /** Labels with {@code app=<service>} added, sorted for stable output. */
    public Map<String, String> effectiveLabels() {
        Map<String, String> out = new TreeMap<>(labels);
        out.put("app", service);
        return out;
    }
}
