#!/usr/bin/env python3
"""SD-JWT VC (typ "dc+sd-jwt") issue / present / verify with the OpenWallet
Foundation ``sd-jwt`` package (module ``sd_jwt``), with EdDSA over Ed25519
keys or ES256 over P-256 keys: each key signs with its own algorithm, for the
issuer JWT and for the KB-JWT alike.

Run with the interop virtualenv:

  .venv/bin/python sdjwt.py keygen --alg EdDSA|ES256
  .venv/bin/python sdjwt.py issue --issuer-key ISSUER.jwk \
      --holder-jwk HOLDER_PUB.jwk --claims CLAIMS.json --sd a,b --vct VCT
  .venv/bin/python sdjwt.py present --holder-key HOLDER.jwk --disclose a \
      --nonce N --aud A FILE
  .venv/bin/python sdjwt.py verify [--nonce N --aud A] [--issuer-jwk PUB.jwk] FILE

Exit codes: 0 ok/verified, 1 not valid (reason on stdout), 2 unusable input.
See README.md for details and for the library limitations worked around here.
"""

import argparse
import base64
import hashlib
import json
import sys
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from sd_jwt import __version__ as SD_JWT_VERSION  # noqa: F401 (see --version)
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

ALG = "EdDSA"
ES256 = "ES256"
SD_JWT_TYP = "dc+sd-jwt"
KB_JWT_TYP = "kb+jwt"
CLOCK_SKEW = 300  # seconds
# Claims that SD-JWT VC says must not be selectively disclosable.
NEVER_SD = {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"}
# Claims this tool sets itself.
RESERVED = {"iss", "iat", "vct", "cnf", "_sd", "_sd_alg"}


class Usage(Exception):
    """Unusable input -> exit 2."""


class Invalid(Exception):
    """Processed and found invalid -> exit 1."""


# --------------------------------------------------------------------------
# did:key (Ed25519 and P-256) helpers

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_PUB = b"\xed\x01"
P256_PUB = b"\x80\x24"  # multicodec p256-pub (0x1200) as a varint


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n > 0:
        n, r = divmod(n, 58)
        out = B58[r] + out
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * zeros + out


def b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        i = B58.find(ch)
        if i < 0:
            raise ValueError(f"invalid base58btc character {ch!r}")
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + body


def b64u_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64u_encode(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode("ascii").rstrip("=")


def did_key_from_x(x_b64u: str):
    """Returns (did, verification method id) for a base64url Ed25519 key."""
    raw = b64u_decode(x_b64u)
    if len(raw) != 32:
        raise Usage("Ed25519 public key must be 32 bytes")
    mb = "z" + b58encode(ED25519_PUB + raw)
    did = f"did:key:{mb}"
    return did, f"{did}#{mb}"


def did_key_for(key: JWK):
    """Returns (did, verification method id) for a public Ed25519 or P-256
    key: P-256 keys are written as their compressed SEC1 point."""
    public = key.export_public(as_dict=True)
    if public.get("kty") == "EC":
        point = key.get_op_key("verify").public_bytes(
            encoding=serialization.Encoding.X962,
            format=serialization.PublicFormat.CompressedPoint)
        mb = "z" + b58encode(P256_PUB + point)
        did = f"did:key:{mb}"
        return did, f"{did}#{mb}"
    return did_key_from_x(public["x"])


def alg_of(key: JWK) -> str:
    """The JOSE alg a key signs with: taken from the key, never a header."""
    return ES256 if key.export_public(as_dict=True).get("kty") == "EC" \
        else ALG


def jwk_from_did_key(url: str) -> JWK:
    """Public jwcrypto JWK for did:key:z6Mk... / did:key:zDn... (with or
    without the #fragment naming its one verification method)."""
    if not isinstance(url, str) or not url.startswith("did:key:"):
        raise Invalid(f"{url!r} is not a did:key")
    did, _, fragment = url.partition("#")
    mb = did[len("did:key:"):]
    if not (mb.startswith("z6Mk") or mb.startswith("zDn")):
        raise Invalid(f"{did} is neither an Ed25519 (z6Mk...) nor a P-256 "
                      "(zDn...) did:key")
    if fragment and fragment != mb:
        raise Invalid(f"{url}: fragment must equal the method-specific id")
    try:
        raw = b58decode(mb[1:])
    except ValueError as e:
        raise Invalid(f"{did}: {e}") from None
    if len(raw) == 35 and raw[:2] == P256_PUB:
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), raw[2:])
        except ValueError as e:
            raise Invalid(f"{did}: not a P-256 point: {e}") from None
        return JWK.from_pyca(point)
    if len(raw) != 34 or raw[:2] != ED25519_PUB:
        raise Invalid(f"{did}: not multicodec ed25519-pub + 32 bytes")
    return JWK(kty="OKP", crv="Ed25519", x=b64u_encode(raw[2:]))


# --------------------------------------------------------------------------
# file helpers


def read_text(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise Usage(f"cannot read {what} {path}: {e}") from None


def read_json(path: str, what: str):
    try:
        return json.loads(read_text(path, what))
    except json.JSONDecodeError as e:
        raise Usage(f"{path} is not valid JSON: {e}") from None


def read_jwk(path: str, private: bool) -> JWK:
    """An Ed25519 (OKP) or P-256 (EC) JWK; private ones are checked to hold
    the public key they claim."""
    data = read_json(path, "key file")
    if not isinstance(data, dict) or (data.get("kty"), data.get("crv")) \
            not in (("OKP", "Ed25519"), ("EC", "P-256")):
        raise Usage(f"{path}: expected an Ed25519 OKP or a P-256 EC JWK")
    if private and "d" not in data:
        raise Usage(f"{path}: private member 'd' is missing")
    try:
        key = JWK(**data)
    except Exception as e:  # jwcrypto raises several types
        raise Usage(f"{path}: not a usable JWK: {e}") from None
    if private:
        # reject a JWK whose x does not belong to d
        derived = JWK.from_pyca(key.get_op_key("sign").public_key())
        public = derived.export_public(as_dict=True)
        if any(public.get(c) != data.get(c) for c in ("x", "y")
               if c in public):
            raise Usage(f"{path}: 'x'/'y' do not match the private key 'd'")
    return key


def split_list(value):
    if value is None:
        return []
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_compact(text: str):
    """Splits <jwt>~<disclosure>~...~[<kb-jwt>]."""
    text = text.strip()
    if "~" not in text:
        raise Usage("input is not an SD-JWT (no '~' separator)")
    parts = text.split("~")
    jwt, disclosures, kb = parts[0], parts[1:-1], parts[-1]
    if jwt.count(".") != 2:
        raise Usage("the issuer-signed part is not a compact JWS")
    return jwt, disclosures, kb


def jwt_part(jwt: str, index: int) -> dict:
    try:
        return json.loads(b64u_decode(jwt.split(".")[index]))
    except Exception as e:
        raise Invalid(f"cannot decode JWT part {index}: {e}") from None


def sha256_b64u(text: str) -> str:
    return b64u_encode(hashlib.sha256(text.encode("ascii")).digest())


# --------------------------------------------------------------------------
# issue


def cmd_issue(args) -> int:
    issuer_key = read_jwk(args.issuer_key, private=True)
    holder_key = read_jwk(args.holder_jwk, private=False)
    claims = read_json(args.claims, "claims file")
    if not isinstance(claims, dict):
        raise Usage(f"{args.claims} must hold a JSON object")
    clash = sorted(RESERVED & claims.keys())
    if clash:
        raise Usage(f"claims {', '.join(clash)} are set by this tool; "
                    f"remove them from {args.claims}")
    sd = split_list(args.sd)
    for name in sd:
        if name not in claims:
            raise Usage(f"--sd names {name!r}, which is not in the claims")
        if name in NEVER_SD:
            raise Usage(f"{name!r} must not be selectively disclosable")

    did, vm_id = did_key_for(issuer_key)
    user_claims = {"iss": did, "iat": int(time.time()), "vct": args.vct}
    for name, value in claims.items():
        user_claims[SDObj(name) if name in sd else name] = value

    issuer = SDJWTIssuer(
        user_claims,
        issuer_key,
        holder_key=holder_key,          # -> cnf: {"jwk": <public jwk>}
        sign_alg=alg_of(issuer_key),
        extra_header_parameters={"typ": SD_JWT_TYP, "kid": vm_id},
    )
    print(issuer.sd_jwt_issuance)
    return 0


# --------------------------------------------------------------------------
# present


def cmd_present(args) -> int:
    holder_key = read_jwk(args.holder_key, private=True)
    text = read_text(args.file, "SD-JWT file")
    jwt, disclosures, kb = parse_compact(text)
    if kb:
        raise Usage("input already carries a KB-JWT; give the issued SD-JWT")
    if bool(args.nonce) != bool(args.aud):
        raise Usage("--nonce and --aud go together")

    payload = jwt_part(jwt, 1)
    cnf_jwk = (payload.get("cnf") or {}).get("jwk")
    if args.nonce and cnf_jwk is not None:
        mine = holder_key.export_public(as_dict=True)
        if any(cnf_jwk.get(k) != mine.get(k)
               for k in ("kty", "crv", "x", "y")):
            raise Usage("--holder-key does not match the SD-JWT's cnf.jwk")

    wanted = split_list(args.disclose)
    available = set()
    for d in disclosures:
        try:
            decoded = json.loads(b64u_decode(d))
        except Exception:
            raise Usage(f"undecodable disclosure {d[:20]}...") from None
        if isinstance(decoded, list) and len(decoded) == 3:
            available.add(decoded[1])
    missing = [w for w in wanted if w not in available]
    if missing:
        raise Usage(f"no disclosure for {', '.join(missing)} "
                    f"(available: {', '.join(sorted(available)) or 'none'})")

    holder = SDJWTHolder(text.strip())
    holder.create_presentation(
        {name: True for name in wanted},
        nonce=args.nonce,
        aud=args.aud,
        holder_key=holder_key if args.nonce else None,
        sign_alg=alg_of(holder_key),
    )
    print(holder.sd_jwt_presentation)
    return 0


# --------------------------------------------------------------------------
# verify


class PinnedAlgSDJWTVerifier(SDJWTVerifier):
    """sd-jwt 0.10.4's verifier hard-codes ES256 for the KB-JWT and accepts
    any alg the header names for the issuer JWT; pin each to the alg of the
    key that must have signed it, through the methods' own ``sign_alg``
    parameter."""

    def __init__(self, *args, issuer_alg, holder_alg, **kwargs):
        self._issuer_alg = issuer_alg
        self._holder_alg = holder_alg
        super().__init__(*args, **kwargs)

    def _verify_sd_jwt(self, cb_get_issuer_key, sign_alg=None):
        return super()._verify_sd_jwt(cb_get_issuer_key, self._issuer_alg)

    def _verify_key_binding_jwt(self, expected_aud=None, expected_nonce=None,
                                sign_alg=None):
        return super()._verify_key_binding_jwt(
            expected_aud, expected_nonce, self._holder_alg)


def referenced_digests(value, out: set):
    """Collects every digest an object/array refers to (_sd and '...')."""
    if isinstance(value, dict):
        sd = value.get("_sd", [])
        if isinstance(sd, list):
            out.update(d for d in sd if isinstance(d, str))
        if len(value) == 1 and isinstance(value.get("..."), str):
            out.add(value["..."])
        for k, v in value.items():
            if k != "_sd":
                referenced_digests(v, out)
    elif isinstance(value, list):
        for v in value:
            referenced_digests(v, out)
    return out


def cmd_verify(args) -> int:
    if bool(args.nonce) != bool(args.aud):
        raise Usage("--nonce and --aud go together")
    text = read_text(args.file, "SD-JWT file").strip()
    jwt, disclosures, kb = parse_compact(text)
    header = jwt_part(jwt, 0)
    unverified_payload = jwt_part(jwt, 1)

    if header.get("typ") != SD_JWT_TYP:
        raise Invalid(f"header typ is {header.get('typ')!r}, "
                      f"expected {SD_JWT_TYP!r}")
    if args.issuer_jwk:
        issuer_key = read_jwk(args.issuer_jwk, private=False)
    else:
        kid = header.get("kid")
        iss = unverified_payload.get("iss")
        if not isinstance(kid, str) and not isinstance(iss, str):
            raise Invalid("no kid or iss to find the issuer key")
        source = kid if isinstance(kid, str) else iss
        if not source.startswith("did:key:"):
            raise Usage(f"{source!r} is not a did:key; pass --issuer-jwk")
        issuer_key = jwk_from_did_key(source)
        if isinstance(kid, str) and iss != kid.partition("#")[0]:
            raise Invalid(f"iss {iss!r} does not match the DID of kid {kid!r}")

    issuer_alg = alg_of(issuer_key)
    if header.get("alg") != issuer_alg:
        raise Invalid(f"header alg is {header.get('alg')!r}, but the issuer "
                      f"key signs with {issuer_alg!r}")
    cnf_jwk = (unverified_payload.get("cnf") or {}).get("jwk")
    holder_alg = ES256 if isinstance(cnf_jwk, dict) \
        and cnf_jwk.get("kty") == "EC" else ALG

    if args.nonce and not kb:
        raise Invalid("no KB-JWT, but --nonce/--aud require key binding")

    def get_issuer_key(_iss, _header):
        return issuer_key

    try:
        verifier = PinnedAlgSDJWTVerifier(
            text,
            get_issuer_key,
            expected_aud=args.aud or None,
            expected_nonce=args.nonce or None,
            issuer_alg=issuer_alg,
            holder_alg=holder_alg,
        )
        claims = verifier.get_verified_payload()
    except Exception as e:  # the library raises plain ValueError/jwcrypto errs
        reason = str(e) or type(e).__name__
        log = getattr(e, "__cause__", None)
        if log:
            reason += f" ({log})"
        raise Invalid(f"{type(e).__name__}: {reason}") from None

    # --- checks sd-jwt 0.10.4 leaves to the caller ------------------------
    payload = verifier._sd_jwt_payload  # signature-checked issuer payload
    now = int(time.time())

    # every disclosure sent must be referenced by a digest (RFC 9901 7.1)
    referenced = referenced_digests(payload, set())
    for d in disclosures:
        decoded = verifier._hash_to_decoded_disclosure.get(sha256_b64u(d))
        if decoded is not None:
            referenced_digests(decoded[-1], referenced)
    for d in disclosures:
        if sha256_b64u(d) not in referenced:
            raise Invalid(f"disclosure {d[:24]}... is not referenced by any "
                          "digest in the SD-JWT (tampered or foreign)")

    if not isinstance(payload.get("vct"), str):
        raise Invalid("payload has no string 'vct'")
    if "exp" in payload and (not isinstance(payload["exp"], (int, float))
                             or payload["exp"] + CLOCK_SKEW < now):
        raise Invalid(f"expired (exp {payload['exp']})")
    if "nbf" in payload and (not isinstance(payload["nbf"], (int, float))
                             or payload["nbf"] - CLOCK_SKEW > now):
        raise Invalid(f"not yet valid (nbf {payload['nbf']})")

    if args.nonce:
        kb_header = jwt_part(kb, 0)
        kb_payload = jwt_part(kb, 1)
        if kb_header.get("alg") != holder_alg:
            raise Invalid(f"KB-JWT alg is {kb_header.get('alg')!r}")
        iat = kb_payload.get("iat")
        if not isinstance(iat, int):
            raise Invalid("KB-JWT has no integer 'iat'")
        if iat - CLOCK_SKEW > now:
            raise Invalid(f"KB-JWT iat {iat} is in the future")
        if now - iat > args.kb_max_age:
            raise Invalid(f"KB-JWT iat {iat} is older than "
                          f"{args.kb_max_age}s")
    elif kb:
        print("note: KB-JWT present but not checked (no --nonce/--aud)",
              file=sys.stderr)

    print(json.dumps(claims, indent=2, sort_keys=True, ensure_ascii=False))
    return 0


# --------------------------------------------------------------------------


def cmd_keygen(args) -> int:
    if args.alg == ES256:
        key = JWK.generate(kty="EC", crv="P-256")
    else:
        key = JWK.generate(kty="OKP", crv="Ed25519")
    print(key.export_private())
    return 0


def main(argv) -> int:
    p = argparse.ArgumentParser(
        prog="sdjwt.py",
        description=f"SD-JWT VC interop tool (OWF sd-jwt {SD_JWT_VERSION})")
    sub = p.add_subparsers(dest="command", required=True)

    pk = sub.add_parser("keygen", help="print a new private JWK")
    pk.add_argument("--alg", required=True, choices=[ALG, ES256])

    pi = sub.add_parser("issue", help="issue an SD-JWT VC")
    pi.add_argument("--issuer-key", required=True)
    pi.add_argument("--holder-jwk", required=True)
    pi.add_argument("--claims", required=True)
    pi.add_argument("--sd", default="")
    pi.add_argument("--vct", required=True)

    pp = sub.add_parser("present", help="make a presentation with a KB-JWT")
    pp.add_argument("--holder-key", required=True)
    pp.add_argument("--disclose", default="")
    pp.add_argument("--nonce")
    pp.add_argument("--aud")
    pp.add_argument("file")

    pv = sub.add_parser("verify", help="verify an SD-JWT (VC) presentation")
    pv.add_argument("--nonce")
    pv.add_argument("--aud")
    pv.add_argument("--issuer-jwk")
    pv.add_argument("--kb-max-age", type=int, default=600,
                    help="max age of the KB-JWT iat in seconds (600)")
    pv.add_argument("file")

    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    handler = {"keygen": cmd_keygen, "issue": cmd_issue, "present": cmd_present,
               "verify": cmd_verify}[args.command]
    try:
        return handler(args)
    except Invalid as e:
        print(f"not verified: {e}")
        return 1
    except Usage as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
