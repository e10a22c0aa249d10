/** Standard Webhooks verification: the specification's published vector and our own samples. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signWebhook, verifyWebhook, webhookKey, WebhookVerificationError } from "agentsecretstore";

// https://github.com/standard-webhooks/standard-webhooks (the specification's test vector)
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const headers = { "webhook-id": ID, "webhook-timestamp": String(TS), "webhook-signature": SIGNATURE };

describe("verifyWebhook", () => {
  it("verifies the specification's vector", () => {
    assert.equal(signWebhook(BODY, ID, TS, SECRET), SIGNATURE);
    assert.deepEqual(verifyWebhook(BODY, headers, SECRET, { now: TS }), { test: 2432232314 });
    assert.deepEqual(verifyWebhook(Buffer.from(BODY), headers, SECRET, { toleranceSeconds: null }), { test: 2432232314 });
  });

  it("takes fetch Headers, Node's header object with any case, and lists of pairs", () => {
    const upper = { "Webhook-Id": ID, "WEBHOOK-TIMESTAMP": String(TS), "webhook-signature": SIGNATURE };
    assert.ok(verifyWebhook(BODY, upper, SECRET, { now: TS }));
    assert.ok(verifyWebhook(BODY, new Headers(headers), SECRET, { now: TS }));
    assert.ok(verifyWebhook(BODY, Object.entries(headers), SECRET, { now: TS }));
  });

  it("accepts any matching signature of several (a secret rotation)", () => {
    const rotated = { ...headers, "webhook-signature": `v1,AAAA${SIGNATURE.slice(7)} v2,xyz ${SIGNATURE}` };
    assert.ok(verifyWebhook(BODY, rotated, SECRET, { now: TS }));
  });

  it("refuses a changed body, another secret, and missing or malformed headers", () => {
    const refused = (body: string, h: Record<string, string>, secret = SECRET) =>
      assert.throws(() => verifyWebhook(body, h, secret, { now: TS }), WebhookVerificationError);
    refused(BODY.replace("2432232314", "2432232315"), headers);
    refused(BODY, headers, "whsec_" + Buffer.from("another key of thirty-two bytes!").toString("base64"));
    refused(BODY, { ...headers, "webhook-id": "msg_other" });
    refused(BODY, { "webhook-id": ID, "webhook-timestamp": String(TS) });
    refused(BODY, { ...headers, "webhook-timestamp": "soon" });
    refused(BODY, { ...headers, "webhook-signature": "v2," + SIGNATURE.slice(3) });
  });

  it("refuses timestamps more than the tolerance away from now (replays)", () => {
    assert.throws(() => verifyWebhook(BODY, headers, SECRET, { now: TS + 301 }), /too old/);
    assert.throws(() => verifyWebhook(BODY, headers, SECRET, { now: TS - 301 }), /too new/);
    assert.throws(() => verifyWebhook(BODY, headers, SECRET), /too old/);
    assert.ok(verifyWebhook(BODY, headers, SECRET, { now: TS + 299 }));
  });

  it("uses a secret that is not whsec_<base64> as its UTF-8 bytes, as the service does", () => {
    assert.deepEqual(webhookKey("whsec_your_signing_secret"), Buffer.from("whsec_your_signing_secret"));
    assert.deepEqual(webhookKey("plain"), Buffer.from("plain"));
    assert.equal(webhookKey(SECRET).length, 24);
    const now = Math.floor(Date.now() / 1000);
    const body = '{"event":"approval.approved","approval_request_id":"apr_1"}';
    const signed = { "webhook-id": "msg_1", "webhook-timestamp": String(now), "webhook-signature": signWebhook(body, "msg_1", now, "whsec_your_signing_secret") };
    assert.equal(verifyWebhook(body, signed, "whsec_your_signing_secret").approval_request_id, "apr_1");
  });

  it("never shows the secret in its errors", () => {
    try {
      verifyWebhook(BODY, headers, SECRET, { now: TS + 1000 });
    } catch (e) {
      assert.ok(e instanceof WebhookVerificationError);
      assert.ok(!String(e.stack).includes(SECRET.slice(6)));
    }
  });
});
