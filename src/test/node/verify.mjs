// Reads [{id, timestamp, signature, body}] from the file named by argv[2] and verifies each with
// the Standard Webhooks reference library, using the secret in argv[3]. Prints one line per
// message, "ok" or "fail: <reason>", and nothing else.
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const messages = JSON.parse(readFileSync(process.argv[2], "utf8"));
const wh = new Webhook(process.argv[3]);
for (const m of messages) {
  try {
    wh.verify(m.body, {
      "webhook-id": m.id,
      "webhook-timestamp": m.timestamp,
      "webhook-signature": m.signature,
    });
    console.log("ok");
  } catch (e) {
    console.log("fail: " + (e && e.message ? e.message.replace(/\s+/g, " ") : String(e)));
  }
}
