// A Dapr app written against the real JavaScript SDK (HTTP protocol), run by DaprJsSdkIntegrationTest
// against a Meshwork sidecar. It prints one JSON object with what each call returned; the test checks it.
// Environment: DAPR_HTTP_PORT (the sidecar's HTTP port), STORE (a state store component), TARGET (an app id).
const { DaprClient, CommunicationProtocolEnum, HttpMethod, StateConcurrencyEnum, StateConsistencyEnum } = require("@dapr/dapr");

async function outcome(call) {
  try {
    const value = await call();
    return value && value.error ? { error: String(value.error) } : { ok: value === undefined ? null : value };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

async function main() {
  const client = new DaprClient({
    daprHost: "127.0.0.1",
    daprPort: process.env.DAPR_HTTP_PORT,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
  });
  const store = process.env.STORE;
  const out = {};
  out.save = await outcome(() => client.state.save(store, [
    { key: "order-1", value: { qty: 3, item: "lamp" } },
    { key: "order-2", value: "plain text" },
  ]));
  out.get = await outcome(() => client.state.get(store, "order-1"));
  out.getStrong = await outcome(() => client.state.get(store, "order-1", { consistency: StateConsistencyEnum.CONSISTENCY_STRONG }));
  out.saveTtl = await outcome(() => client.state.save(store, [{ key: "session", value: 1, metadata: { ttlInSeconds: "100" } }]));
  out.getText = await outcome(() => client.state.get(store, "order-2"));
  out.getMissing = await outcome(() => client.state.get(store, "order-404"));
  out.bulk = await outcome(() => client.state.getBulk(store, ["order-1", "order-2", "order-404"]));
  const etag = out.bulk.ok ? out.bulk.ok.find((i) => i.key === "order-1").etag : undefined;
  out.staleSave = await outcome(() => client.state.save(store, [
    { key: "order-1", value: { qty: 9 }, etag: etag + "0", options: { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE } },
  ]));
  out.freshSave = await outcome(() => client.state.save(store, [
    { key: "order-1", value: { qty: 4, item: "lamp" }, etag, options: { concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE } },
  ]));
  out.afterFresh = await outcome(() => client.state.get(store, "order-1"));
  out.staleDelete = await outcome(() => client.state.delete(store, "order-1", {
    etag, concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE,
  }));
  out.transaction = await outcome(() => client.state.transaction(store, [
    { operation: "upsert", request: { key: "order-3", value: { qty: 1 } } },
    { operation: "delete", request: { key: "order-2" } },
  ]));
  out.afterTransaction = await outcome(() => client.state.getBulk(store, ["order-2", "order-3"]));
  out.delete = await outcome(() => client.state.delete(store, "order-1"));
  out.afterDelete = await outcome(() => client.state.get(store, "order-1"));
  out.invokeGet = await outcome(() => client.invoker.invoke(process.env.TARGET, "price?item=lamp", HttpMethod.GET));
  out.invokePost = await outcome(() => client.invoker.invoke(process.env.TARGET, "orders", HttpMethod.POST, { qty: 2 }));
  out.metadata = await outcome(() => client.metadata.get());
  out.health = await outcome(() => client.health.isHealthy());
  await client.stop();
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ fatal: String(e && e.stack ? e.stack : e) }) + "\n");
  process.exit(1);
});
