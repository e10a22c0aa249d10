/**
 * A software passkey for the integration tests (the twin of clients/python/tests/softpasskey.py):
 * a P-256 key that answers the service's registration and step-up challenges with real ES256
 * signatures, encoded as a browser sends them. The service verifies them like any other.
 *
 * The origin and relying party are those of the service's default `ASS_PUBLIC_URL`.
 */

import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import type { StepUpAssertion } from "agentsecretstore";

const ORIGIN = "http://localhost:8080";
const RP_ID = "localhost";

type Cbor = number | string | Buffer | [Cbor, Cbor][];

/** Just enough CBOR (RFC 8949) for an attestation object and a COSE key; a map is a list of pairs. */
function cbor(value: Cbor): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === "string") return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  return Buffer.concat([head(5, value.length), ...value.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const sha256 = (data: Buffer | string): Buffer => createHash("sha256").update(data).digest();

export class SoftPasskey {
  readonly credentialId = randomBytes(32);
  counter = 0;
  readonly #keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });

  #clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: ORIGIN, crossOrigin: false }));
  }

  /** The body of `POST /v1/passkeys` answering a registration challenge. */
  registration(challenge: string): Record<string, unknown> {
    const jwk = this.#keys.publicKey.export({ format: "jwk" });
    const cose = cbor([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, "base64url")], [-3, Buffer.from(jwk.y!, "base64url")]]);
    const idLength = Buffer.from([0, this.credentialId.length]);
    // flags 0x45: user present, user verified, attested credential data; counter 0; AAGUID zero
    const auth = Buffer.concat([sha256(RP_ID), Buffer.from([0x45, 0, 0, 0, 0]), Buffer.alloc(16), idLength, this.credentialId, cose]);
    const attestation = cbor([["fmt", "none"], ["attStmt", []], ["authData", auth]]);
    return {
      label: "typescript software passkey",
      client_data_json: this.#clientData("webauthn.create", challenge).toString("base64url"),
      attestation_object: attestation.toString("base64url"),
      transports: ["internal"],
    };
  }

  /** An assertion answering a step-up challenge: the approve call's `stepUp`. */
  assertion(challenge: string): StepUpAssertion {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(++this.counter);
    const auth = Buffer.concat([sha256(RP_ID), Buffer.from([0x05]), counter]); // user present and verified
    const clientData = this.#clientData("webauthn.get", challenge);
    const signature = sign("sha256", Buffer.concat([auth, sha256(clientData)]), this.#keys.privateKey);
    return {
      credentialId: this.credentialId.toString("base64url"),
      clientDataJson: clientData.toString("base64url"),
      authenticatorData: auth.toString("base64url"),
      signature: signature.toString("base64url"),
    };
  }
}
