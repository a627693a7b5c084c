// The comparison for scripts/bench-webhook: a minimal LINE webhook as LINE's official Node SDK
// documents it. @line/bot-sdk's middleware() checks X-Line-Signature on the raw body and
// parses it; the handler replies to each text event through the SDK's Messaging API client,
// pointed at the fake LINE. No storage and no de-duplication: the least a webhook can do.
// Run from the scratch folder the script installs the SDK into (never a product dependency).
import express from "express";
import { middleware, messagingApi } from "@line/bot-sdk";

const port = Number(process.env.PORT);
const channelSecret = process.env.LINE_CHANNEL_SECRET;
const client = new messagingApi.MessagingApiClient({
  channelAccessToken: "bench-token",
  baseURL: process.env.LINE_API,
});

function handle(event) {
  if (event.type !== "message" || event.message.type !== "text") {
    return Promise.resolve(null);
  }
  return client.replyMessage({
    replyToken: event.replyToken,
    messages: [{ type: "text", text: event.message.text }],
  });
}

const app = express();
app.get("/line/healthz", (_req, res) => res.send("ok"));
app.post("/line/webhook", middleware({ channelSecret }), async (req, res) => {
  // A redelivered event's reply token was used the first time: LINE (and the fake) refuse
  // the reply, which is the SDK's error to swallow, as in LINE's own samples.
  await Promise.allSettled(req.body.events.map(handle));
  res.send("ok");
});
app.listen(port, "127.0.0.1", () => {
  console.error(`@line/bot-sdk webhook on http://127.0.0.1:${port}/line/webhook`);
});
