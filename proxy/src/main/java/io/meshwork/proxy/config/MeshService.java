package io.meshwork.proxy.config;

import io.meshwork.model.networking.ServicePort;
import java.util.List;
import java.util.Map;

/**
 * A service as the compiler sees it: a canonical host, its ports and its instances, from
 * ServiceEntries and from WorkloadEntries labelled {@code app}.
 *
 * @param host the canonical host (see {@link HostNames})
 * @param ports the service ports; the first is the default for requests that name none
 * @param instances the workloads behind it
 * @param origin what defined it, for notices and the admin API
 */
record MeshService(String host, List<ServicePort> ports, List<Instance> instances, String origin) {

  /**
   * One workload of the service.
   *
   * @param address IP or host name
   * @param ports the workload's named ports (WorkloadEntry.ports)
   * @param labels the workload's labels, which subsets select on
   * @param weight > 0
   * @param defaultPort the port when no service port name matches (an implicit service's preferred port), or null
   */
  record Instance(String address, Map<String, Integer> ports, Map<String, String> labels, int weight, Integer defaultPort) {}

  /**
   * The endpoint port of an instance for a service port (Istio ServiceEntry semantics): the workload's
   * port of the same name, else the service port's targetPort, else its number.
   */
  static int endpointPort(ServicePort servicePort, Instance instance) {
    if (servicePort.name() != null) {
      Integer named = instance.ports().get(servicePort.name());
      if (named != null) {
        return named;
      }
    }
    if (instance.defaultPort() != null) {
      return instance.defaultPort();
    }
    if (servicePort.targetPort() != null && servicePort.targetPort() > 0) {
      return servicePort.targetPort();
    }
    return servicePort.number();
  }
}
