package io.meshwork.control.api;

/** Documents the API tests send. */
final class Manifests {

    private Manifests() {
    }

    /** The VirtualService of the acceptance seed (004), unchanged. */
    static final String SEED_VIRTUAL_SERVICE = """
            apiVersion: networking.istio.io/v1beta1
            kind: VirtualService
            metadata:
              name: product-service
            spec:
              hosts:
                - product-service
              http:
                # Canary deployment: 90% v1, 10% v2
                - match:
                    - headers:
                        x-canary:
                          exact: "true"
                  route:
                    - destination:
                        host: product-service
                        subset: v2
                - route:
                    - destination:
                        host: product-service
                        subset: v1
                      weight: 90
                    - destination:
                        host: product-service
                        subset: v2
                      weight: 10
                  retries:
                    attempts: 3
                    perTryTimeout: 2s
                    retryOn: connect-failure,refused-stream,5xx
                  timeout: 10s
            """;

    static String virtualService(String name, String host) {
        return """
                {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                 "metadata": {"name": "%s"},
                 "spec": {"hosts": ["%s"], "http": [{"route": [{"destination": {"host": "%s"}}]}]}}
                """.formatted(name, host, host);
    }

    static String destinationRule(String name, String host) {
        return """
                {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
                 "metadata": {"name": "%s"},
                 "spec": {"host": "%s", "trafficPolicy": {"loadBalancer": {"simple": "LEAST_CONN"}}}}
                """.formatted(name, host);
    }
}
