// Passkeys in the browser: the service's options (snake_case, base64url) turned into what
// navigator.credentials expects, and the authenticator's answer turned back. Nothing is decided
// here: the server verifies every answer, and a step-up answer is good for one request, once.

function encode(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decode(text) {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes.buffer;
}

function descriptors(list) {
  return (list || []).map((c) => ({ type: c.type, id: decode(c.id) }));
}

/** Whether this browser can use passkeys at all. */
export function supported() {
  return typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

/** Creates a passkey for POST /v1/passkeys/registration-options' answer; resolves to the body of POST /v1/passkeys. */
export async function create(o, label) {
  const credential = await navigator.credentials.create({
    publicKey: {
      challenge: decode(o.challenge),
      rp: { id: o.rp.id, name: o.rp.name },
      user: { id: decode(o.user.id), name: o.user.name, displayName: o.user.display_name },
      pubKeyCredParams: o.pub_key_cred_params.map((p) => ({ type: p.type, alg: p.alg })),
      timeout: o.timeout_ms,
      excludeCredentials: descriptors(o.exclude_credentials),
      authenticatorSelection: {
        residentKey: o.authenticator_selection.resident_key,
        userVerification: o.authenticator_selection.user_verification,
      },
      attestation: o.attestation,
    },
  });
  const r = credential.response;
  return {
    label: label || null,
    client_data_json: encode(r.clientDataJSON),
    attestation_object: encode(r.attestationObject),
    transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
  };
}

/** Answers POST /v1/approvals/{id}/step-up's challenge; resolves to the approve call's step_up. */
export async function assert(o) {
  const credential = await navigator.credentials.get({
    publicKey: {
      challenge: decode(o.challenge),
      rpId: o.rp_id,
      allowCredentials: descriptors(o.allow_credentials),
      userVerification: o.user_verification,
      timeout: o.timeout_ms,
    },
  });
  const r = credential.response;
  return {
    credential_id: encode(credential.rawId),
    client_data_json: encode(r.clientDataJSON),
    authenticator_data: encode(r.authenticatorData),
    signature: encode(r.signature),
    user_handle: r.userHandle ? encode(r.userHandle) : null,
  };
}

/** A line fit to show for a failed browser ceremony (the user cancelled, no passkey, …). */
export function explain(e) {
  if (e && e.name === 'NotAllowedError') return 'The passkey prompt was cancelled or timed out.';
  if (e && e.name === 'InvalidStateError') return 'This passkey is already registered.';
  if (e && e.name === 'SecurityError') return 'This address cannot use passkeys (the service\'s relying-party id or origin does not match it).';
  return (e && (e.summary || e.message)) || 'The passkey could not be used.';
}
