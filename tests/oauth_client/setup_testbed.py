#!/usr/bin/env python3
"""Writes an authorization server testbed into WORKDIR for the Python client tests and the load benchmark.

    setup_testbed.py SLUIS_BINARY WORKDIR PORT

* The server's signing keys come from `sluis keys generate` (rs-1 RS256 active, es-2 ES256 next).
* Client secrets are hashed by `sluis keys hash-secret --stdin`.
* The `private_key_jwt` client key (P-256) and the JWT-bearer issuer key (RSA) are made here with `cryptography`.
* The SAML issuer signs with the committed test PKI (testdata/pki/leaf-rsa2048), pinned by its certificate.

Writes WORKDIR/config.toml (initial), WORKDIR/config-rotated.toml (es-2 active, rs-1 retiring) and
WORKDIR/testbed.json (everything the tests need to know).
"""
import json
import os
import subprocess
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "py-client-secret-" + os.urandom(16).hex()


def pem_pair(key, work, name):
    priv = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(os.path.join(work, name + ".key.pem"), "wb") as f:
        f.write(priv)
    with open(os.path.join(work, name + ".pub.pem"), "wb") as f:
        f.write(pub)
    return os.path.join(work, name + ".key.pem")


def keys_section(states):
    out = []
    for kid, alg, state in states:
        out.append(f'[[oauth.signing_keys]]\nkid = "{kid}"\nalg = "{alg}"\nprivate_key = "keys/{kid}.pem"\nstate = "{state}"\n')
    return "\n".join(out)


def main(sluis, work, port):
    os.makedirs(os.path.join(work, "keys"), exist_ok=True)
    for kid, alg in (("rs-1", "RS256"), ("es-2", "ES256")):
        if not os.path.exists(os.path.join(work, "keys", kid + ".pem")):
            subprocess.run([sluis, "keys", "generate", "--alg", alg, "--kid", kid, "--out", os.path.join(work, "keys")],
                           check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([sluis, "keys", "hash-secret", "--stdin"], input=SECRET, text=True, capture_output=True, check=True)
    secret_hash = out.stdout.split("=", 1)[1].strip().strip('"')
    client_key = pem_pair(ec.generate_private_key(ec.SECP256R1()), work, "client-pk")
    idp_key = pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048), work, "idp-jwt")
    issuer = f"http://127.0.0.1:{port}"
    saml_cert = os.path.join(REPO, "testdata", "pki", "leaf-rsa2048.cert.pem")
    saml_key = os.path.join(REPO, "testdata", "pki", "leaf-rsa2048.key.pem")
    body = f'''
[[oauth.clients]]
client_id = "svc"
auth_methods = ["client_secret_basic", "client_secret_post"]
secret_hash = "{secret_hash}"
grant_types = ["client_credentials"]
scopes = ["read", "write"]
default_scopes = ["read"]

[[oauth.clients]]
client_id = "pk"
auth_methods = ["private_key_jwt"]
keys = [{{ pem = "client-pk.pub.pem", kid = "pk-1", alg = "ES256" }}]
grant_types = ["client_credentials", "jwt-bearer", "saml2-bearer"]
scopes = ["read", "write"]

[[oauth.clients]]
client_id = "portal"
auth_methods = ["client_secret_basic", "client_secret_post"]
secret_hash = "{secret_hash}"
grant_types = ["jwt-bearer", "saml2-bearer"]
scopes = ["read", "write"]

[[oauth.clients]]
client_id = "rs"
auth_methods = ["client_secret_basic"]
secret_hash = "{secret_hash}"
grant_types = []
introspect_any = true

[[oauth.issuers]]
issuer = "https://idp.test"
format = "jwt"
keys = [{{ pem = "idp-jwt.pub.pem", kid = "idp-1", alg = "RS256" }}]
base_scopes = ["read"]

[[oauth.issuers.mappings]]
attribute = "groups"
value = "writers"
scopes = ["write"]
roles = ["writer"]

[[oauth.issuers]]
issuer = "https://saml-idp.test"
format = "saml"
keys = [{{ pem = "{saml_cert}" }}]
base_scopes = ["read"]
claims = {{ mail = "email" }}

[[oauth.issuers.mappings]]
attribute = "role"
value = "editor"
scopes = ["write"]
roles = ["editor"]
'''
    # The gateway's own tables: this is a `sluis serve` configuration (an OAuth-only server has no [[routes]]).
    # Rate limiting is off: the tests fire requests faster than a client would, from one address.
    server = f'''[server]
listen = "127.0.0.1:{port}"

[rate_limit]
enabled = false

'''
    head = server + f'''[oauth]
issuer = "{issuer}"
default_audience = "https://api.test"
audiences = ["https://api2.test"]
access_token_lifetime = 300
max_assertion_lifetime = 600
replay_capacity = 2000000
'''
    with open(os.path.join(work, "config.toml"), "w") as f:
        f.write(head + "\n" + keys_section([("rs-1", "RS256", "active"), ("es-2", "ES256", "next")]) + body)
    with open(os.path.join(work, "config-rotated.toml"), "w") as f:
        f.write(head + "\n" + keys_section([("rs-1", "RS256", "retiring"), ("es-2", "ES256", "active")]) + body)
    with open(os.path.join(work, "testbed.json"), "w") as f:
        json.dump({
            "base": issuer, "secret": SECRET, "client_key": client_key, "idp_key": idp_key,
            "saml_key": saml_key, "saml_cert": saml_cert, "saml_issuer": "https://saml-idp.test",
            "jwt_issuer": "https://idp.test", "api": "https://api.test",
        }, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
