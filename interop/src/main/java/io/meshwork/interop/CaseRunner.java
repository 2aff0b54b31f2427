package io.meshwork.interop;

import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import io.grpc.testing.integration.TestServiceClient;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs grpc-java's interop cases one after another in this JVM, each with a fresh {@link TestServiceClient} (its
 * own channel), as {@code TestServiceClient --test_case=NAME} would in a JVM per case, but without a JVM start per
 * case.
 *
 * <pre>
 * java -cp CLASSPATH io.meshwork.interop.CaseRunner NAME=SECONDS... -- CLIENT_FLAGS...
 * </pre>
 *
 * <p>Each case gets SECONDS to finish; a case that does not (an HTTP/2 stream that stalls forever, say) is failed
 * and its channel shut down. One line per case on standard output:
 * {@code RESULT NAME PASS MILLIS} or {@code RESULT NAME FAIL MILLIS REASON}.
 *
 * <p>The client's {@code parseArgs}, {@code setUp}, {@code run} and {@code tearDown} are what its {@code main}
 * calls; they are not public, so they are called reflectively.
 */
public final class CaseRunner {
  /** What one case did. */
  public record Outcome(String name, boolean passed, long millis, String reason) {
    String line() {
      return "RESULT " + name + (passed ? " PASS " : " FAIL ") + millis + (passed ? "" : " " + reason);
    }
  }

  private record Case(String name, long seconds) {}

  private CaseRunner() {}

  public static void main(String[] args) throws Exception {
    int split = Arrays.asList(args).indexOf("--");
    if (split < 0) {
      System.err.println("usage: CaseRunner NAME=SECONDS... -- CLIENT_FLAGS...");
      System.exit(2);
    }
    List<Case> cases = new ArrayList<>();
    for (String a : Arrays.copyOfRange(args, 0, split)) {
      int eq = a.indexOf('=');
      cases.add(new Case(a.substring(0, eq), Long.parseLong(a.substring(eq + 1))));
    }
    List<String> flags = List.of(Arrays.copyOfRange(args, split + 1, args.length));
    registerOrcaBalancer();
    PrintStream out = System.out;
    for (Case c : cases) {
      Outcome outcome = run(c, flags);
      out.println(outcome.line());
      out.flush();
    }
    System.exit(0);
  }

  /**
   * What the client's {@code main} does before its case: registers the load balancer through which the ORCA cases
   * ({@code orca_per_rpc}, {@code orca_oob}) read the server's backend metrics.
   */
  private static void registerOrcaBalancer() throws Exception {
    Class<?> type = Class.forName("io.grpc.testing.integration.CustomBackendMetricsLoadBalancerProvider");
    var constructor = type.getDeclaredConstructor();
    constructor.setAccessible(true);
    LoadBalancerProvider provider = (LoadBalancerProvider) constructor.newInstance();
    Field field = TestServiceClient.class.getDeclaredField("customBackendMetricsLoadBalancerProvider");
    field.setAccessible(true);
    field.set(null, provider);
    LoadBalancerRegistry.getDefaultRegistry().register(provider);
  }

  private static Outcome run(Case c, List<String> flags) {
    long start = System.nanoTime();
    TestServiceClient client = new TestServiceClient();
    List<String> args = new ArrayList<>(flags);
    args.add("--test_case=" + c.name());
    try {
      call(client, "parseArgs", args.toArray(String[]::new));
      call(client, "setUp");
    } catch (Exception | Error e) {
      return new Outcome(c.name(), false, millis(start), "set-up failed: " + describe(e));
    }
    FutureTask<Void> task = new FutureTask<>(() -> {
      call(client, "run");
      return null;
    });
    Thread worker = new Thread(task, "interop-" + c.name());
    worker.setDaemon(true);
    worker.start();
    Outcome outcome;
    try {
      task.get(c.seconds(), TimeUnit.SECONDS);
      outcome = new Outcome(c.name(), true, millis(start), "");
    } catch (TimeoutException e) {
      outcome = new Outcome(c.name(), false, millis(start), "no result within " + c.seconds() + " s (stalled)");
    } catch (ExecutionException e) {
      outcome = new Outcome(c.name(), false, millis(start), describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = new Outcome(c.name(), false, millis(start), "interrupted");
    }
    try {
      call(client, "tearDown");
    } catch (Exception | Error ignored) {
      // A failed case may leave its channel broken; the outcome above is what counts.
    }
    try {
      worker.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return outcome;
  }

  private static void call(TestServiceClient client, String method) throws Exception {
    call(client, method, null);
  }

  /** {@code client.method()}, or {@code client.method(args)} when {@code args} is not null. */
  private static void call(TestServiceClient client, String method, String[] args) throws Exception {
    Method m = args == null ? TestServiceClient.class.getDeclaredMethod(method)
        : TestServiceClient.class.getDeclaredMethod(method, String[].class);
    m.setAccessible(true);
    try {
      if (args == null) {
        m.invoke(client);
      } else {
        m.invoke(client, (Object) args);
      }
    } catch (InvocationTargetException e) {
      switch (e.getCause()) {
        case Exception cause -> throw cause;
        case Error cause -> throw cause;
        default -> throw e;
      }
    }
  }

  /** One line: the innermost distinct messages of the cause chain. */
  static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
      if (sb.indexOf(m) < 0) {
        sb.append(sb.isEmpty() ? "" : " <- ").append(m);
      }
    }
    String oneLine = sb.toString().replaceAll("\\s+", " ");
    return oneLine.length() > 400 ? oneLine.substring(0, 400) + "..." : oneLine;
  }

  private static long millis(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
