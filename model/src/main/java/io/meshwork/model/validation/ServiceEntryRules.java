package io.meshwork.model.validation;

import static io.meshwork.model.validation.FieldPath.child;
import static io.meshwork.model.validation.FieldPath.index;

import io.meshwork.model.networking.Gateway;
import io.meshwork.model.networking.ReadinessProbe;
import io.meshwork.model.networking.Server;
import io.meshwork.model.networking.ServerTLSSettings;
import io.meshwork.model.networking.ServiceEntry;
import io.meshwork.model.networking.ServicePort;
import io.meshwork.model.networking.WorkloadEntry;
import io.meshwork.model.networking.WorkloadGroup;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Istio's validation of the registry kinds (ServiceEntry, WorkloadEntry, WorkloadGroup) and Gateway. */
final class ServiceEntryRules {
  /** Istio's protocol names (protocol.Instance), case-insensitive. */
  static final Set<String> PROTOCOLS = Set.of("HTTP", "HTTPS", "GRPC", "HTTP2", "MONGO", "TCP", "TLS", "UDP");

  private static final String PROTOCOL_EXPECTED = "one of HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP, TLS or UDP";

  private ServiceEntryRules() {}

  static void serviceEntry(ServiceEntry se, String path, Findings f) {
    f.requiredNonEmpty(child(path, "hosts"), se.hosts(), "at least one host");
    for (int i = 0; i < se.hosts().size(); i++) {
      f.required(index(child(path, "hosts"), i), se.hosts().get(i), "a host name");
    }
    for (int i = 0; i < se.addresses().size(); i++) {
      f.ipOrCidr(index(child(path, "addresses"), i), se.addresses().get(i));
    }
    Set<Integer> numbers = new HashSet<>();
    for (int i = 0; i < se.ports().size(); i++) {
      ServicePort port = se.ports().get(i);
      String pp = index(child(path, "ports"), i);
      servicePort(port, pp, f);
      if (port.number() != null && !numbers.add(port.number())) {
        f.error(child(pp, "number"), port.number(), "a port number not used by an earlier port");
      }
    }
    if (!se.endpoints().isEmpty() && se.workloadSelector() != null) {
      f.describe(child(path, "workloadSelector"), "set together with endpoints",
          "at most one of endpoints and workloadSelector");
    }
    if (se.resolution() == ServiceEntry.Resolution.STATIC) {
      if (se.endpoints().isEmpty() && se.workloadSelector() == null) {
        f.missing(child(path, "endpoints"), "endpoints or a workloadSelector for STATIC resolution");
      }
      for (int i = 0; i < se.endpoints().size(); i++) {
        String address = se.endpoints().get(i).address();
        if (address != null && !Findings.isIp(address) && !address.startsWith("unix://")) {
          f.error(child(index(child(path, "endpoints"), i), "address"), address,
              "an IP address for STATIC resolution");
        }
      }
    }
    for (int i = 0; i < se.endpoints().size(); i++) {
      workloadEntry(se.endpoints().get(i), index(child(path, "endpoints"), i), f);
    }
  }

  static void servicePort(ServicePort port, String p, Findings f) {
    if (port.number() == null) {
      f.missing(child(p, "number"), "a port number 1..65535");
    }
    f.port(child(p, "number"), port.number());
    f.port(child(p, "targetPort"), port.targetPort());
    if (port.protocol() != null && !PROTOCOLS.contains(port.protocol().toUpperCase(Locale.ROOT))) {
      f.error(child(p, "protocol"), port.protocol(), PROTOCOL_EXPECTED);
    }
  }

  static void workloadEntry(WorkloadEntry we, String p, Findings f) {
    f.required(child(p, "address"), we.address(), "an IP address or host name");
    for (Map.Entry<String, Integer> e : we.ports().entrySet()) {
      f.port(child(child(p, "ports"), e.getKey()), e.getValue());
    }
    f.nonNegative(child(p, "weight"), we.weight());
  }

  static void workloadGroup(WorkloadGroup wg, String p, Findings f) {
    if (wg.template() != null) {
      String tp = child(p, "template");
      if (wg.template().address() != null) {
        f.error(child(tp, "address"), wg.template().address(),
            "no address: each registering workload brings its own");
      }
      for (Map.Entry<String, Integer> e : wg.template().ports().entrySet()) {
        f.port(child(child(tp, "ports"), e.getKey()), e.getValue());
      }
    }
    ReadinessProbe probe = wg.probe();
    if (probe != null) {
      String pp = child(p, "probe");
      if (Findings.count(probe.httpGet(), probe.tcpSocket(), probe.exec()) > 1) {
        f.describe(pp, "several health checks set", "at most one of httpGet, tcpSocket and exec");
      }
      f.nonNegative(child(pp, "initialDelaySeconds"), probe.initialDelaySeconds());
      f.nonNegative(child(pp, "timeoutSeconds"), probe.timeoutSeconds());
      f.nonNegative(child(pp, "periodSeconds"), probe.periodSeconds());
      f.nonNegative(child(pp, "successThreshold"), probe.successThreshold());
      f.nonNegative(child(pp, "failureThreshold"), probe.failureThreshold());
      if (probe.httpGet() != null) {
        f.port(child(child(pp, "httpGet"), "port"), probe.httpGet().port());
      }
      if (probe.tcpSocket() != null) {
        f.port(child(child(pp, "tcpSocket"), "port"), probe.tcpSocket().port());
      }
    }
  }

  static void gateway(Gateway gw, String path, Findings f) {
    f.requiredNonEmpty(child(path, "servers"), gw.servers(), "at least one server");
    for (int i = 0; i < gw.servers().size(); i++) {
      Server s = gw.servers().get(i);
      String sp = index(child(path, "servers"), i);
      if (s.port() == null) {
        f.missing(child(sp, "port"), "a port with number, protocol and name");
      } else {
        servicePort(s.port(), child(sp, "port"), f);
      }
      f.requiredNonEmpty(child(sp, "hosts"), s.hosts(), "at least one host, or \"*\"");
      ServerTLSSettings tls = s.tls();
      if (tls != null && (tls.mode() == ServerTLSSettings.TLSmode.SIMPLE
          || tls.mode() == ServerTLSSettings.TLSmode.MUTUAL) && tls.credentialName() == null) {
        String tp = child(sp, "tls");
        f.required(child(tp, "serverCertificate"), tls.serverCertificate(),
            "a PEM certificate file, or credentialName");
        f.required(child(tp, "privateKey"), tls.privateKey(), "a PEM key file, or credentialName");
      }
    }
  }
}
