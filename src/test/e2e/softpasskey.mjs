// A software passkey for the e2e tests' API calls: a P-256 key pair that answers the service's
// registration and step-up challenges with real ES256 signatures, encoded as a browser sends them
// (CBOR attestation "none", WebAuthn authenticator data). The service verifies them like any other.

import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

/** Just enough CBOR (RFC 8949) for an attestation object and a COSE key. */
function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
    const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
  };
  if (Number.isInteger(value)) return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') { const s = Buffer.from(value, 'utf8'); return Buffer.concat([head(3, s.length), s]); }
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error(`cannot encode ${typeof value}`);
}

export class SoftPasskey {
  /** `origin` and `rpId` are the dashboard's, as the service is configured (ASS_STEP_UP_*). */
  constructor(origin, rpId) {
    this.origin = origin;
    this.rpId = rpId;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.jwk = publicKey.export({ format: 'jwk' });
    this.credentialId = randomBytes(32);
    this.counter = 0;
  }

  clientData(type, challenge, origin = this.origin) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  /** The body of POST /v1/passkeys answering a registration challenge. */
  registration(challenge, label = 'e2e software passkey') {
    const cose = cbor(new Map([[1, 2], [3, -7], [-1, 1],
      [-2, Buffer.from(this.jwk.x, 'base64url')], [-3, Buffer.from(this.jwk.y, 'base64url')]]));
    const len = Buffer.alloc(2);
    len.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([sha256(this.rpId), Buffer.from([0x45]), Buffer.alloc(4), Buffer.alloc(16), len,
      this.credentialId, cose]);
    const attestation = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      label,
      client_data_json: b64u(this.clientData('webauthn.create', challenge)),
      attestation_object: b64u(attestation),
      transports: ['internal'],
    };
  }

  /** An assertion answering a step-up challenge: the approve call's `step_up`. */
  assertion(challenge, { origin = this.origin } = {}) {
    this.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    const authData = Buffer.concat([sha256(this.rpId), Buffer.from([0x05]), counter]);
    const clientData = this.clientData('webauthn.get', challenge, origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return {
      credential_id: b64u(this.credentialId),
      client_data_json: b64u(clientData),
      authenticator_data: b64u(authData),
      signature: b64u(signature),
    };
  }
}

/**
 * Registers a software passkey for the principal of `key` through `call(key, method, path, body)`
 * (answering { status, json }), and returns a function that approves a request with a fresh step-up.
 */
export async function passkeyApprover(call, key, origin, rpId) {
  const passkey = new SoftPasskey(origin, rpId);
  const options = await call(key, 'POST', '/v1/passkeys/registration-options');
  if (options.status !== 200) throw new Error(`registration options: ${options.status} ${JSON.stringify(options.json)}`);
  const created = await call(key, 'POST', '/v1/passkeys', passkey.registration(options.json.challenge));
  if (created.status !== 201) throw new Error(`register passkey: ${created.status} ${JSON.stringify(created.json)}`);
  return async (id, comment) => {
    const stepUp = await call(key, 'POST', `/v1/approvals/${id}/step-up`);
    if (stepUp.status !== 200) throw new Error(`step-up: ${stepUp.status} ${JSON.stringify(stepUp.json)}`);
    return call(key, 'POST', `/v1/approvals/${id}/approve`, { comment, step_up: passkey.assertion(stepUp.json.challenge) });
  };
}
