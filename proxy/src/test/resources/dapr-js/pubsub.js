// A Dapr app written against the real JavaScript SDK (HTTP protocol), run by DaprJsSdkIntegrationTest: it
// subscribes with DaprServer, publishes with DaprClient through its sidecar, and prints one JSON object with
// what its handlers received. Environment: DAPR_HTTP_PORT (the sidecar), APP_PORT (this app), PUBSUB.
const { DaprServer, DaprClient, CommunicationProtocolEnum, DaprPubSubStatusEnum } = require("@dapr/dapr");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const pubsub = process.env.PUBSUB;
  const clientOptions = { daprHost: "127.0.0.1", daprPort: process.env.DAPR_HTTP_PORT,
    communicationProtocol: CommunicationProtocolEnum.HTTP };
  const server = new DaprServer({ serverHost: "127.0.0.1", serverPort: process.env.APP_PORT,
    communicationProtocol: CommunicationProtocolEnum.HTTP, clientOptions });
  const got = { orders: [], ordersHeaders: [], flaky: [], flakyCalls: 0, doomedCalls: 0, poison: [], raw: [], bulk: [] };
  await server.pubsub.subscribe(pubsub, "orders", async (data, headers) => {
    got.orders.push(data);
    got.ordersHeaders.push(headers["content-type"]);
  });
  await server.pubsub.subscribe(pubsub, "flaky", async (data) => {
    got.flakyCalls++;
    if (got.flakyCalls < 3) {
      return DaprPubSubStatusEnum.RETRY;
    }
    got.flaky.push(data);
    return DaprPubSubStatusEnum.SUCCESS;
  });
  await server.pubsub.subscribeWithOptions(pubsub, "doomed", { deadLetterTopic: "poison", callback: async () => {
    got.doomedCalls++;
    return DaprPubSubStatusEnum.RETRY;
  } });
  await server.pubsub.subscribe(pubsub, "poison", async (data) => { got.poison.push(data); });
  await server.pubsub.subscribeWithOptions(pubsub, "raw", { metadata: { rawPayload: "true" }, callback: async (data) => {
    got.raw.push(data);
  } });
  await server.pubsub.subscribe(pubsub, "bulk", async (data) => { got.bulk.push(data); });
  await server.start();

  const client = new DaprClient(clientOptions);
  const deadline = Date.now() + 20000;
  let subscribed = 0;
  while (Date.now() < deadline) {
    const metadata = await client.metadata.get();
    subscribed = (metadata.subscriptions || []).length;
    if (subscribed >= 6) {
      break;
    }
    await sleep(100);
  }
  const out = { subscribed };
  out.publish = await client.pubsub.publish(pubsub, "orders", { id: 7, item: "lamp" });
  out.publishText = await client.pubsub.publish(pubsub, "orders", "hello", { contentType: "text/plain" });
  out.flaky = await client.pubsub.publish(pubsub, "flaky", { attempt: "until third" });
  out.doomed = await client.pubsub.publish(pubsub, "doomed", { id: "never" });
  out.raw = await client.pubsub.publish(pubsub, "raw", { raw: true }, { metadata: { rawPayload: true } });
  out.bulkPublish = await client.pubsub.publishBulk(pubsub, "bulk", [{ n: 1 }, { n: 2 }, "three"]);
  out.unknown = await client.pubsub.publish("no-such-pubsub", "orders", { id: 1 });
  while (Date.now() < deadline && (got.orders.length < 2 || got.flaky.length < 1 || got.poison.length < 1
      || got.raw.length < 1 || got.bulk.length < 3)) {
    await sleep(50);
  }
  out.got = got;
  await server.stop();
  await client.stop();
  process.stdout.write(JSON.stringify(out, (k, v) => (v instanceof Error ? String(v.message) : v)) + "\n");
  process.exit(0);
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ fatal: String(e && e.stack ? e.stack : e) }) + "\n");
  process.exit(1);
});
