package io.meshwork.control.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrationTest {

    @Test
    void entryNameIsStableAndDnsSafe() {
        Registration v4 = new Registration("orders", "10.1.2.3", Map.of("http", 8080, "grpc", 9090), Map.of(), 30);
        assertThat(v4.primaryPort()).isEqualTo(8080);
        assertThat(v4.entryName()).isEqualTo("orders-10-1-2-3-8080");
        Registration v6 = new Registration("orders", "[FD00::1]", Map.of("http", 80), Map.of(), 30);
        assertThat(v6.entryName()).isEqualTo("orders-fd00-1-80");
    }

    @Test
    void appLabelIsAlwaysTheService() {
        Registration r = new Registration("orders", "h", Map.of("http", 80), Map.of("app", "spoof", "v", "2"), 30);
        assertThat(r.effectiveLabels()).containsExactly(Map.entry("app", "orders"), Map.entry("v", "2"));
    }

    @Test
    void rejectsBadFieldsNamingThem() {
        assertThatThrownBy(() -> new Registration("Orders", "h", Map.of("http", 80), Map.of(), 30))
                .isInstanceOfSatisfying(InvalidRegistrationException.class,
                        e -> assertThat(e.field()).isEqualTo("service"))
                .hasMessage("service: Orders (expected: a DNS-1123 label such as orders)");
        assertThatThrownBy(() -> new Registration("orders", " ", Map.of("http", 80), Map.of(), 30))
                .hasMessageStartingWith("address: ");
        assertThatThrownBy(() -> new Registration("orders", "h", Map.of(), Map.of(), 30))
                .hasMessage("ports: {} (expected: at least one port)");
        assertThatThrownBy(() -> new Registration("orders", "h", Map.of("http", 0), Map.of(), 30))
                .hasMessage("ports.http: 0 (expected: 1..65535)");
        assertThatThrownBy(() -> new Registration("orders", "h", Map.of("http", 80), Map.of(), 3601))
                .hasMessage("ttlSeconds: 3601 (expected: 1..3600)");
    }
}
