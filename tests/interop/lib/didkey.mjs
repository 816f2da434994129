// did:key helpers for Ed25519 keys (written for Sigil's interop harness).
//
// did:key:z6Mk... = "did:key:" + multibase(base58btc, 0xed 0x01 || pubkey32)
// The only verification method of such a DID is "<did>#<method-specific-id>".

import {createPrivateKey, createPublicKey} from 'node:crypto';
import {readFileSync} from 'node:fs';

import {UsageError} from './cli.mjs';

const B58_ALPHABET =
  '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const B58_INDEX = new Map([...B58_ALPHABET].map((c, i) => [c, i]));

// multicodec varint for ed25519-pub (0xed) = bytes 0xed 0x01
const ED25519_PUB_HEADER = Uint8Array.from([0xed, 0x01]);

export const DID_CONTEXT_V1 = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_CONTEXT_V1 = 'https://w3id.org/security/multikey/v1';

export function base58btcEncode(bytes) {
  // count leading zero bytes -> leading '1's
  let zeros = 0;
  while(zeros < bytes.length && bytes[zeros] === 0) {
    zeros++;
  }
  // base-256 -> base-58 digit array (little endian)
  const digits = [];
  for(let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i];
    for(let j = 0; j < digits.length; j++) {
      carry += digits[j] << 8;
      digits[j] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while(carry > 0) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  let out = '1'.repeat(zeros);
  for(let i = digits.length - 1; i >= 0; i--) {
    out += B58_ALPHABET[digits[i]];
  }
  return out;
}

export function base58btcDecode(str) {
  let zeros = 0;
  while(zeros < str.length && str[zeros] === '1') {
    zeros++;
  }
  const bytes = []; // little endian base-256
  for(let i = zeros; i < str.length; i++) {
    const value = B58_INDEX.get(str[i]);
    if(value === undefined) {
      throw new Error(`invalid base58btc character "${str[i]}"`);
    }
    let carry = value;
    for(let j = 0; j < bytes.length; j++) {
      carry += bytes[j] * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while(carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for(let i = 0; i < bytes.length; i++) {
    out[out.length - 1 - i] = bytes[i];
  }
  return out;
}

function b64uDecode(s, what) {
  if(typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s)) {
    throw new UsageError(`${what} is not base64url`);
  }
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

/** Multibase (z...) of an Ed25519 public key given as raw 32 bytes. */
export function publicKeyToMultibase(publicKey) {
  if(publicKey.length !== 32) {
    throw new Error('Ed25519 public key must be 32 bytes');
  }
  const buf = new Uint8Array(34);
  buf.set(ED25519_PUB_HEADER, 0);
  buf.set(publicKey, 2);
  return 'z' + base58btcEncode(buf);
}

/** Raw 32-byte Ed25519 public key from a z6Mk... multibase value. */
export function multibaseToPublicKey(mb) {
  if(typeof mb !== 'string' || !mb.startsWith('z')) {
    throw new Error(
      `"${mb}" is not a base58btc multibase value (must start with "z")`);
  }
  const bytes = base58btcDecode(mb.slice(1));
  if(bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new Error(
      `"${mb}" is not an Ed25519 public key multikey ` +
      '(expected multicodec 0xed01 + 32 bytes)');
  }
  return bytes.slice(2);
}

/**
 * Parses "did:key:z6Mk..." or "did:key:z6Mk...#z6Mk...".
 * Returns {did, fragment, multibase, publicKey}. Throws on anything else.
 */
export function parseDidKey(url) {
  if(typeof url !== 'string' || !url.startsWith('did:key:')) {
    throw new Error(`"${url}" is not a did:key URL`);
  }
  const hash = url.indexOf('#');
  const did = hash === -1 ? url : url.slice(0, hash);
  const fragment = hash === -1 ? null : url.slice(hash + 1);
  const multibase = did.slice('did:key:'.length);
  if(!multibase.startsWith('z6Mk')) {
    throw new Error(
      `"${did}" is not an Ed25519 did:key (must start with did:key:z6Mk)`);
  }
  const publicKey = multibaseToPublicKey(multibase);
  if(fragment !== null && fragment !== multibase) {
    throw new Error(
      `"${url}": the fragment of an Ed25519 did:key verification method ` +
      'must equal the method-specific id');
  }
  return {did, fragment, multibase, publicKey};
}

/** Public OKP JWK for a did:key DID or verification method id. */
export function didKeyToPublicJwk(url) {
  const {publicKey} = parseDidKey(url);
  return {
    kty: 'OKP', crv: 'Ed25519',
    x: Buffer.from(publicKey).toString('base64url')
  };
}

/** Multikey verification method for did:key:X#X. */
export function didKeyVerificationMethod(did, multibase) {
  return {
    '@context': MULTIKEY_CONTEXT_V1,
    id: `${did}#${multibase}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: multibase
  };
}

/** The DID document of an Ed25519 did:key (as the did:key spec builds it). */
export function didKeyDocument(did) {
  const {multibase} = parseDidKey(did);
  const vmId = `${did}#${multibase}`;
  const vm = didKeyVerificationMethod(did, multibase);
  delete vm['@context'];
  return {
    '@context': [DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1],
    id: did,
    verificationMethod: [vm],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId]
  };
}

/**
 * Reads a private Ed25519 JWK file, checks it is consistent (x matches d),
 * and returns {jwk, publicJwk, did, vmId, multibase}.
 */
export function readPrivateJwk(path) {
  let jwk;
  try {
    jwk = JSON.parse(readFileSync(path, 'utf8'));
  } catch(e) {
    throw new UsageError(`cannot read key file ${path}: ${e.message}`);
  }
  if(!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    throw new UsageError(
      `${path}: expected an Ed25519 JWK {"kty":"OKP","crv":"Ed25519",...}`);
  }
  if(typeof jwk.d !== 'string') {
    throw new UsageError(`${path}: private key member "d" is missing`);
  }
  const d = b64uDecode(jwk.d, `${path}: "d"`);
  if(d.length !== 32) {
    throw new UsageError(`${path}: "d" must be 32 bytes`);
  }
  // derive the public key from d and compare with x (if given)
  const priv = createPrivateKey({
    key: {kty: 'OKP', crv: 'Ed25519', d: jwk.d,
      x: jwk.x ?? Buffer.alloc(32).toString('base64url')},
    format: 'jwk'
  });
  const derivedX = createPublicKey(priv).export({format: 'jwk'}).x;
  if(jwk.x !== undefined && jwk.x !== derivedX) {
    throw new UsageError(`${path}: "x" does not match the private key "d"`);
  }
  const publicKey = b64uDecode(derivedX, 'x');
  const multibase = publicKeyToMultibase(publicKey);
  const did = `did:key:${multibase}`;
  return {
    jwk: {kty: 'OKP', crv: 'Ed25519', x: derivedX, d: jwk.d},
    publicJwk: {kty: 'OKP', crv: 'Ed25519', x: derivedX},
    did,
    vmId: `${did}#${multibase}`,
    multibase
  };
}
