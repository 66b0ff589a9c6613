"""A real OAuth client against a running sluis authorization server.

requests for HTTP, PyJWT for client assertions and JWT-bearer grants, PyJWT's PyJWKClient to verify every issued access
token against the published JWK Set (as a resource server would), signxml (an independent XML-DSig implementation) to
sign the SAML 2.0 assertions of the RFC 7522 grant.

Run by scripts/oauth-client-test.sh, which builds the testbed (tests/oauth_client/setup_testbed.py), starts the server
and sets SLUIS_OAUTH_WORKDIR and SLUIS_OAUTH_PID. The key-rotation test runs last: it reloads the server with SIGHUP.
"""
import base64
import json
import os
import signal
import time
import uuid
from datetime import datetime, timedelta, timezone

import jwt
import pytest
import requests
from jwt import PyJWKClient
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, methods

WORK = os.environ["SLUIS_OAUTH_WORKDIR"]
with open(os.path.join(WORK, "testbed.json")) as f:
    BED = json.load(f)
BASE = BED["base"]
TOKEN = BASE + "/oauth2/token"
API = BED["api"]
SECRET = BED["secret"]
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SAML_BEARER = "urn:ietf:params:oauth:grant-type:saml2-bearer"
JWT_CLIENT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ISSUED = []  # every access token issued, re-verified after the rotation


def read(path):
    with open(path, "rb") as f:
        return f.read()


def verify(token, audience=API):
    """Verifies an access token against the JWKS fetched now: signature by the key its kid names, typ at+jwt (RFC 9068
    §4), iss, aud, exp and the required claims."""
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt"
    assert header["alg"] in ("RS256", "ES256")
    key = PyJWKClient(BASE + "/oauth2/jwks", cache_keys=False, cache_jwk_set=False).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=[header["alg"]], audience=audience, issuer=BASE,
                        options={"require": ["exp", "iat", "iss", "aud", "sub", "jti", "client_id"]})
    ISSUED.append((token, audience))
    return claims


def ok_token(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Pragma"] == "no-cache"
    body = resp.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert "refresh_token" not in body
    return body


def error(resp, status, code):
    assert resp.status_code == status, resp.text
    assert resp.headers["Cache-Control"] == "no-store"
    body = resp.json()
    assert body["error"] == code, body
    assert body["error_description"]
    return body


def now():
    return int(time.time())


def client_assertion(aud=None, **over):
    claims = {"iss": "pk", "sub": "pk", "aud": aud or BASE, "iat": now(), "exp": now() + 60, "jti": str(uuid.uuid4())}
    claims.update(over)
    return jwt.encode(claims, read(BED["client_key"]), algorithm="ES256", headers={"kid": "pk-1"})


def idp_jwt(sub="alice", **extra):
    claims = {"iss": BED["jwt_issuer"], "sub": sub, "aud": TOKEN, "iat": now(), "exp": now() + 120,
              "jti": str(uuid.uuid4())}
    claims.update(extra)
    return jwt.encode(claims, read(BED["idp_key"]), algorithm="RS256", headers={"kid": "idp-1"})


def ts(delta):
    return (datetime.now(timezone.utc) + timedelta(seconds=delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def saml_assertion(subject="alice@example.org", audience=None, recipient=TOKEN, role="editor", pad=False):
    """A SAML 2.0 assertion for this server signed by signxml (exclusive c14n, RSA-SHA256), base64url-encoded."""
    aid = "_" + uuid.uuid4().hex
    xml = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{aid}" Version="2.0" IssueInstant="{ts(-30)}"><saml:Issuer>{BED["saml_issuer"]}</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{subject}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{ts(240)}" Recipient="{recipient}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{ts(-60)}" NotOnOrAfter="{ts(240)}"><saml:AudienceRestriction><saml:Audience>{audience or BASE}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{ts(-40)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue>{role}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="mail"><saml:AttributeValue>{subject}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>"""
    signed = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(etree.fromstring(xml), key=read(BED["saml_key"]), cert=read(BED["saml_cert"]), reference_uri=aid,
           id_attribute="ID")
    encoded = base64.urlsafe_b64encode(etree.tostring(signed))
    return (encoded if pad else encoded.rstrip(b"=")).decode()


# --- metadata ----------------------------------------------------------------------------------------------------------

def test_metadata():
    m = requests.get(BASE + "/.well-known/oauth-authorization-server").json()
    assert requests.get(BASE + "/.well-known/openid-configuration").json() == m
    assert m["issuer"] == BASE
    assert m["token_endpoint"] == TOKEN
    assert m["jwks_uri"] == BASE + "/oauth2/jwks"
    assert set(m["grant_types_supported"]) == {"client_credentials", JWT_BEARER, SAML_BEARER}
    assert {"client_secret_basic", "client_secret_post", "private_key_jwt"} <= set(m["token_endpoint_auth_methods_supported"])
    assert "none" not in m["token_endpoint_auth_signing_alg_values_supported"]
    assert not any(a.startswith("HS") for a in m["token_endpoint_auth_signing_alg_values_supported"])
    assert "response_types_supported" not in m
    jwks = requests.get(m["jwks_uri"]).json()
    assert [k["kid"] for k in jwks["keys"]] == ["rs-1", "es-2"]
    assert all(k["use"] == "sig" and "d" not in k for k in jwks["keys"])


# --- client_credentials with each secret method and private_key_jwt ----------------------------------------------------

def test_client_credentials_basic():
    body = ok_token(requests.post(TOKEN, data={"grant_type": "client_credentials"}, auth=("svc", SECRET)))
    claims = verify(body["access_token"])
    assert (claims["sub"], claims["client_id"], claims["scope"]) == ("svc", "svc", "read")
    assert claims["exp"] - claims["iat"] == 300


def test_client_credentials_post_with_scope_and_resource():
    body = ok_token(requests.post(TOKEN, data={"grant_type": "client_credentials", "client_id": "svc",
                                               "client_secret": SECRET, "scope": "read write",
                                               "resource": "https://api2.test"}))
    assert body["scope"] == "read write"
    assert verify(body["access_token"], audience="https://api2.test")["aud"] == "https://api2.test"


def test_client_credentials_private_key_jwt():
    body = ok_token(requests.post(TOKEN, data={"grant_type": "client_credentials", "client_assertion_type": JWT_CLIENT,
                                               "client_assertion": client_assertion()}))
    assert verify(body["access_token"])["client_id"] == "pk"
    # The token endpoint URL as audience works too; a replayed assertion does not.
    a = client_assertion(aud=TOKEN)
    ok_token(requests.post(TOKEN, data={"grant_type": "client_credentials", "client_assertion_type": JWT_CLIENT,
                                        "client_assertion": a}))
    error(requests.post(TOKEN, data={"grant_type": "client_credentials", "client_assertion_type": JWT_CLIENT,
                                     "client_assertion": a}), 401, "invalid_client")


def test_client_authentication_errors():
    r = requests.post(TOKEN, data={"grant_type": "client_credentials"}, auth=("svc", "wrong"))
    error(r, 401, "invalid_client")
    assert r.headers["WWW-Authenticate"].startswith("Basic realm=")
    r = requests.post(TOKEN, data={"grant_type": "client_credentials", "client_secret": SECRET}, auth=("svc", SECRET))
    error(r, 400, "invalid_request")
    error(requests.post(TOKEN, data={"grant_type": "client_credentials", "scope": "delete"}, auth=("svc", SECRET)),
          400, "invalid_scope")
    error(requests.post(TOKEN, data={"grant_type": "password", "username": "u", "password": "p"}, auth=("svc", SECRET)),
          400, "unsupported_grant_type")
    error(requests.post(TOKEN, data="grant_type=client_credentials&grant_type=client_credentials",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}, auth=("svc", SECRET)),
          400, "invalid_request")
    error(requests.post(TOKEN, json={"grant_type": "client_credentials"}, auth=("svc", SECRET)), 400, "invalid_request")
    assert requests.get(TOKEN).status_code == 405


# --- RFC 7523 JWT bearer -------------------------------------------------------------------------------------------------

def test_jwt_bearer_grant_with_secret_and_with_private_key_jwt():
    body = ok_token(requests.post(TOKEN, data={"grant_type": JWT_BEARER, "assertion": idp_jwt(groups=["writers"]),
                                               "scope": "read write"}, auth=("portal", SECRET)))
    claims = verify(body["access_token"])
    assert (claims["sub"], claims["client_id"], claims["scope"], claims["roles"]) == ("alice", "portal", "read write", ["writer"])
    body = ok_token(requests.post(TOKEN, data={"grant_type": JWT_BEARER, "assertion": idp_jwt("bob"),
                                               "client_assertion_type": JWT_CLIENT,
                                               "client_assertion": client_assertion()}))
    claims = verify(body["access_token"])
    assert (claims["sub"], claims["client_id"], claims["scope"]) == ("bob", "pk", "read")


def test_jwt_bearer_refusals():
    def refused(assertion):
        error(requests.post(TOKEN, data={"grant_type": JWT_BEARER, "assertion": assertion}, auth=("portal", SECRET)),
              400, "invalid_grant")

    claims = {"iss": BED["jwt_issuer"], "sub": "alice", "aud": TOKEN, "exp": now() + 60, "jti": str(uuid.uuid4())}
    refused(jwt.encode(claims, None, algorithm="none"))
    pub = read(BED["idp_key"].replace(".key.pem", ".pub.pem"))
    forged = (base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT","kid":"idp-1"}').rstrip(b"=").decode() + "." +
              base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode())
    import hashlib
    import hmac
    sig = base64.urlsafe_b64encode(hmac.new(pub, forged.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    refused(forged + "." + sig)  # HS256 keyed with the issuer's public key PEM
    refused(idp_jwt(aud="https://someone-else.test"))
    refused(idp_jwt(exp=now() - 120))
    replayed = idp_jwt()
    ok_token(requests.post(TOKEN, data={"grant_type": JWT_BEARER, "assertion": replayed}, auth=("portal", SECRET)))
    refused(replayed)
    refused(jwt.encode({**claims, "jti": str(uuid.uuid4())}, read(BED["idp_key"]), algorithm="RS256",
                       headers={"kid": "idp-unknown"}))


# --- RFC 7522 SAML 2.0 bearer ------------------------------------------------------------------------------------------

def test_saml2_bearer_grant():
    body = ok_token(requests.post(TOKEN, data={"grant_type": SAML_BEARER, "assertion": saml_assertion(),
                                               "scope": "read write"}, auth=("portal", SECRET)))
    claims = verify(body["access_token"])
    assert (claims["sub"], claims["client_id"], claims["scope"]) == ("alice@example.org", "portal", "read write")
    assert claims["roles"] == ["editor"] and claims["email"] == "alice@example.org"
    assert "auth_time" in claims
    # With private_key_jwt client authentication, padding tolerated, a subject without the editor role.
    body = ok_token(requests.post(TOKEN, data={"grant_type": SAML_BEARER, "assertion": saml_assertion("bob@example.org", role="viewer", pad=True),
                                               "client_assertion_type": JWT_CLIENT,
                                               "client_assertion": client_assertion()}))
    claims = verify(body["access_token"])
    assert (claims["sub"], claims["client_id"], claims["scope"]) == ("bob@example.org", "pk", "read")


def test_saml2_bearer_refusals():
    def refused(assertion):
        error(requests.post(TOKEN, data={"grant_type": SAML_BEARER, "assertion": assertion}, auth=("portal", SECRET)),
              400, "invalid_grant")

    refused(saml_assertion(audience="https://other-as.test"))
    refused(saml_assertion(recipient=BASE + "/elsewhere"))
    once = saml_assertion()
    ok_token(requests.post(TOKEN, data={"grant_type": SAML_BEARER, "assertion": once}, auth=("portal", SECRET)))
    refused(once)
    xml = base64.urlsafe_b64decode(saml_assertion() + "==")
    refused(base64.urlsafe_b64encode(xml.replace(b"alice@example.org</saml:NameID>", b"mallory@example.org</saml:NameID>")).decode())
    refused(base64.encodebytes(xml).decode())  # line-wrapped standard base64


# --- introspection and revocation ----------------------------------------------------------------------------------------

def test_introspection_and_revocation():
    token = ok_token(requests.post(TOKEN, data={"grant_type": "client_credentials"}, auth=("svc", SECRET)))["access_token"]
    r = requests.post(BASE + "/oauth2/introspect", data={"token": token}, auth=("svc", SECRET))
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert r.json()["active"] is True and r.json()["client_id"] == "svc"
    assert requests.post(BASE + "/oauth2/introspect", data={"token": token}, auth=("portal", SECRET)).json() == {"active": False}
    assert requests.post(BASE + "/oauth2/introspect", data={"token": token}, auth=("rs", SECRET)).json()["active"] is True
    error(requests.post(BASE + "/oauth2/introspect", data={"token": token}), 401, "invalid_client")
    error(requests.post(BASE + "/oauth2/revoke", data={"token": token}, auth=("portal", SECRET)), 400, "unauthorized_client")
    assert requests.post(BASE + "/oauth2/revoke", data={"token": token, "token_type_hint": "access_token"},
                         auth=("svc", SECRET)).status_code == 200
    assert requests.post(BASE + "/oauth2/introspect", data={"token": token}, auth=("rs", SECRET)).json() == {"active": False}


# --- key rotation (last: it reloads the server) ----------------------------------------------------------------------------

def test_zz_key_rotation_via_sighup():
    before = ok_token(requests.post(TOKEN, data={"grant_type": "client_credentials"}, auth=("svc", SECRET)))["access_token"]
    assert jwt.get_unverified_header(before)["kid"] == "rs-1"
    jwks_before = requests.get(BASE + "/oauth2/jwks").json()
    os.replace(os.path.join(WORK, "config-rotated.toml"), os.path.join(WORK, "config.toml"))
    os.kill(int(os.environ["SLUIS_OAUTH_PID"]), signal.SIGHUP)
    deadline = time.time() + 10
    while True:
        after = ok_token(requests.post(TOKEN, data={"grant_type": "client_credentials"}, auth=("svc", SECRET)))["access_token"]
        if jwt.get_unverified_header(after)["kid"] == "es-2":
            break
        assert time.time() < deadline, "the reload did not take effect"
        time.sleep(0.1)
    assert jwt.get_unverified_header(after)["alg"] == "ES256"
    # A verifier that cached the JWKS before the rotation already has the new key …
    cached = jwt.PyJWKSet.from_dict(jwks_before)
    key = next(k for k in cached.keys if k.key_id == "es-2")
    jwt.decode(after, key.key, algorithms=["ES256"], audience=API, issuer=BASE)
    # … and every token issued so far, by either key, still verifies against the JWKS published now.
    verify(after)
    verify(before)
    for token, audience in list(ISSUED):
        verify(token, audience)
    assert requests.post(BASE + "/oauth2/introspect", data={"token": before}, auth=("rs", SECRET)).json()["active"] is True
