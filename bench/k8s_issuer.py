"""A stand-in Kubernetes service-account issuer for bench/run.sh (standard library + openssl CLI).

    python3 k8s_issuer.py serve KEY.pem ISSUER_URL PORT   # discovery + JWKS of the key, on 127.0.0.1:PORT
    python3 k8s_issuer.py token KEY.pem ISSUER_URL NAMESPACE SERVICE_ACCOUNT   # prints a projected-style token

The token carries the claims the kubelet's projected tokens carry (audience agent-secret-store,
one hour), signed RS256 by ``openssl dgst -sha256 -sign``.
"""

import base64
import json
import subprocess
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KID = "bench-key"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk(key_pem: str) -> dict:
    modulus = subprocess.run(["openssl", "rsa", "-in", key_pem, "-noout", "-modulus"], check=True,
                             capture_output=True, text=True).stdout.strip().split("=", 1)[1]
    n = bytes.fromhex(modulus)
    return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": KID, "n": b64url(n), "e": b64url((65537).to_bytes(3, "big"))}


def serve(key_pem: str, issuer: str, port: int) -> None:
    documents = {
        "/.well-known/openid-configuration": {"issuer": issuer, "jwks_uri": issuer + "/openid/v1/jwks",
                                              "response_types_supported": ["id_token"],
                                              "subject_types_supported": ["public"],
                                              "id_token_signing_alg_values_supported": ["RS256"]},
        "/openid/v1/jwks": {"keys": [jwk(key_pem)]},
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            doc = documents.get(self.path)
            body = json.dumps(doc if doc is not None else {}).encode()
            self.send_response(200 if doc is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def token(key_pem: str, issuer: str, namespace: str, service_account: str) -> str:
    now = int(time.time())
    header = {"alg": "RS256", "kid": KID}
    claims = {
        "aud": ["agent-secret-store"], "iss": issuer, "iat": now, "nbf": now, "exp": now + 3600,
        "sub": f"system:serviceaccount:{namespace}:{service_account}",
        "kubernetes.io": {
            "namespace": namespace,
            "node": {"name": "bench-node", "uid": str(uuid.uuid4())},
            "pod": {"name": f"{service_account}-0", "uid": str(uuid.uuid4())},
            "serviceaccount": {"name": service_account, "uid": str(uuid.uuid4())},
        },
    }
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_pem], input=signing_input.encode(),
                               check=True, capture_output=True).stdout
    return signing_input + "." + b64url(signature)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "token":
        print(token(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))
    else:
        sys.exit(__doc__)
