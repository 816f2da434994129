#!/usr/bin/env node
// VC-JWTs with panva's `jose`, in both shapes Sigil verifies:
//   * VC-JOSE-COSE: a VCDM 2.0 credential as the payload of a compact JWS with
//     typ "vc+jwt";
//   * VC-JWT of VCDM 1.1 (§6.3.1): a JWT with typ "JWT", the credential under
//     the `vc` claim, and iss / sub / jti / nbf / exp standing for its issuer,
//     subject id, id, issuanceDate and expirationDate.
// The issuer key is an Ed25519 (alg EdDSA) or P-256 (alg ES256) JWK; the
// issuer is the key's did:key, or with --did jwk its did:jwk.
//
//   node jose.mjs keygen --alg EdDSA|ES256                > KEY.jwk
//   node jose.mjs sign --key KEY.jwk [--did key|jwk] IN.json     > credential.jwt
//   node jose.mjs sign-jwt --key KEY.jwk [--did key|jwk] IN.json > credential.jwt
//   node jose.mjs verify FILE
//
// See README.md for what is checked and the exit codes.

import {
  CompactSign, SignJWT, compactVerify, decodeProtectedHeader, exportJWK,
  generateKeyPair, importJWK
} from 'jose';

import {
  ArgError, InvalidError, UsageError, issuerId, parseArgs, readJsonObject,
  readText, run, setIssuer
} from './lib/cli.mjs';
import {base58btcEncode, didKeyToPublicJwk, parseDidKey, readPrivateJwk} from
  './lib/didkey.mjs';

const USAGE = `usage:
  node jose.mjs keygen --alg EdDSA|ES256
  node jose.mjs sign --key KEY.jwk [--did key|jwk] IN.json
  node jose.mjs sign-jwt --key KEY.jwk [--did key|jwk] IN.json
  node jose.mjs verify FILE`;

const TYP = 'vc+jwt';
const JWT_TYP = 'JWT';
const ALG = 'EdDSA';
const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
const MAX_CLOCK_SKEW_MS = 300 * 1000;
// multicodec varint for p256-pub (0x1200)
const P256_PUB_HEADER = [0x80, 0x24];

function oneFile(positional) {
  if(positional.length !== 1) {
    throw new ArgError('expected exactly one input file');
  }
  return positional[0];
}

async function keygen(argv) {
  const {positional, options} = parseArgs(argv, ['alg']);
  if(positional.length !== 0) {
    throw new ArgError('keygen takes no input file');
  }
  if(!['EdDSA', 'ES256'].includes(options.alg)) {
    throw new ArgError('--alg must be EdDSA or ES256');
  }
  const {privateKey} = await generateKeyPair(options.alg, {
    crv: options.alg === 'EdDSA' ? 'Ed25519' : undefined,
    extractable: true
  });
  const jwk = await exportJWK(privateKey);
  process.stdout.write(JSON.stringify(jwk) + '\n');
  return 0;
}

/**
 * The private P-256 JWK in `path`, with the issuer it stands for. The did:key
 * is multibase base58btc of 0x80 0x24 and the compressed point (SEC1: 0x02 or
 * 0x03 by the parity of y, then x), as the did:key spec writes P-256 keys.
 */
async function readP256Key(jwk, path) {
  if(typeof jwk.d !== 'string' || typeof jwk.x !== 'string' ||
    typeof jwk.y !== 'string') {
    throw new UsageError(`${path}: a P-256 private JWK needs x, y and d`);
  }
  let key;
  try {
    key = await importJWK(jwk, 'ES256');
  } catch(e) {
    throw new UsageError(`${path}: not a usable P-256 JWK: ${e.message}`);
  }
  const x = Buffer.from(jwk.x, 'base64url');
  const y = Buffer.from(jwk.y, 'base64url');
  if(x.length !== 32 || y.length !== 32) {
    throw new UsageError(`${path}: P-256 coordinates are 32 bytes`);
  }
  const compressed = Uint8Array.from(
    [...P256_PUB_HEADER, (y[31] & 1) ? 0x03 : 0x02, ...x]);
  const multibase = 'z' + base58btcEncode(compressed);
  const did = `did:key:${multibase}`;
  return {
    alg: 'ES256', key, did, vmId: `${did}#${multibase}`,
    publicJwk: {kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y}
  };
}

/** The signing key in `path` (Ed25519 or P-256) and its issuer identity. */
async function readSigner(path, didMethod) {
  if(!['key', 'jwk'].includes(didMethod)) {
    throw new ArgError('--did must be key or jwk');
  }
  const jwk = readJsonObject(path, 'key file');
  let signer;
  if(jwk.kty === 'EC' && jwk.crv === 'P-256') {
    signer = await readP256Key(jwk, path);
  } else {
    const ed25519 = readPrivateJwk(path);
    signer = {
      alg: ALG, key: await importJWK(ed25519.jwk, ALG), did: ed25519.did,
      vmId: ed25519.vmId, publicJwk: ed25519.publicJwk
    };
  }
  if(didMethod === 'jwk') {
    // did:jwk: base64url of the public JWK; its one method is #0.
    const did = 'did:jwk:' +
      Buffer.from(JSON.stringify(signer.publicJwk)).toString('base64url');
    signer = {...signer, did, vmId: `${did}#0`};
  }
  return signer;
}

async function sign(argv) {
  const {positional, options} = parseArgs(argv, ['key', 'did']);
  if(!options.key) {
    throw new ArgError('--key KEY.jwk is required');
  }
  const credential = readJsonObject(oneFile(positional), 'credential');
  const signer = await readSigner(options.key, options.did ?? 'key');
  setIssuer(credential, signer.did);
  const jws = await new CompactSign(
    new TextEncoder().encode(JSON.stringify(credential)))
    .setProtectedHeader({alg: signer.alg, typ: TYP, kid: signer.vmId})
    .sign(signer.key);
  process.stdout.write(jws + '\n');
  return 0;
}

/** Seconds since the epoch of a date-time property, or undefined. */
function numericDate(credential, prop) {
  if(!(prop in credential)) {
    return undefined;
  }
  const t = Date.parse(credential[prop]);
  if(Number.isNaN(t)) {
    throw new UsageError(`"${prop}" is not a date-time: ${credential[prop]}`);
  }
  return Math.floor(t / 1000);
}

/**
 * VC-JWT of VCDM 1.1 §6.3.1.1: the registered claims stand for issuer,
 * credentialSubject.id, id, issuanceDate and expirationDate, and those
 * properties are taken out of `vc` (as most 1.1 issuers do), so a verifier
 * must read them from the claims. iat is the time of signing.
 */
async function signJwt(argv) {
  const {positional, options} = parseArgs(argv, ['key', 'did']);
  if(!options.key) {
    throw new ArgError('--key KEY.jwk is required');
  }
  const vc = readJsonObject(oneFile(positional), 'credential');
  const signer = await readSigner(options.key, options.did ?? 'key');
  const v2 = [].concat(vc['@context'] ?? [])[0] === VC_V2_CONTEXT;
  const [fromProp, untilProp] = v2 ?
    ['validFrom', 'validUntil'] : ['issuanceDate', 'expirationDate'];
  const nbf = numericDate(vc, fromProp) ?? Math.floor(Date.now() / 1000);
  const exp = numericDate(vc, untilProp);
  const subject = vc.credentialSubject;
  const sub = subject && typeof subject === 'object' &&
    !Array.isArray(subject) ? subject.id : undefined;
  const jti = vc.id;
  delete vc.issuer;
  delete vc.id;
  delete vc[fromProp];
  delete vc[untilProp];
  if(typeof sub === 'string') {
    delete subject.id;
  }
  let jwt = new SignJWT({vc})
    .setProtectedHeader({alg: signer.alg, typ: JWT_TYP, kid: signer.vmId})
    .setIssuer(signer.did)
    .setNotBefore(nbf)
    .setIssuedAt();
  if(typeof sub === 'string') {
    jwt = jwt.setSubject(sub);
  }
  if(typeof jti === 'string') {
    jwt = jwt.setJti(jti);
  }
  if(exp !== undefined) {
    jwt = jwt.setExpirationTime(exp);
  }
  process.stdout.write(await jwt.sign(signer.key) + '\n');
  return 0;
}

function checkDate(credential, prop, now) {
  if(!(prop in credential)) {
    return null;
  }
  const value = credential[prop];
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  if(Number.isNaN(t)) {
    throw new InvalidError(`"${prop}" is not a date-time: ${value}`);
  }
  return t;
}

async function verify(argv) {
  const {positional} = parseArgs(argv, []);
  const jws = readText(oneFile(positional), 'JWS file').trim();
  if(!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jws)) {
    throw new UsageError('input is not a compact JWS (header.payload.sig)');
  }

  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch(e) {
    throw new InvalidError(`cannot decode protected header: ${e.message}`);
  }
  if(header.typ !== TYP) {
    throw new InvalidError(
      `header "typ" is ${JSON.stringify(header.typ)}, expected "${TYP}"`);
  }
  if(header.alg !== ALG) {
    throw new InvalidError(
      `header "alg" is ${JSON.stringify(header.alg)}, expected "${ALG}"`);
  }
  if(typeof header.kid !== 'string') {
    throw new InvalidError('header has no string "kid"');
  }
  if(!header.kid.startsWith('did:key:')) {
    throw new UsageError(
      `kid "${header.kid}" is not a did:key; this offline verifier only ` +
      'resolves Ed25519 did:key');
  }
  let kidDid;
  let jwk;
  try {
    const parsed = parseDidKey(header.kid);
    if(parsed.fragment === null) {
      throw new Error('kid must be a verification method (did:key:X#X)');
    }
    kidDid = parsed.did;
    jwk = didKeyToPublicJwk(header.kid);
  } catch(e) {
    throw new InvalidError(`bad kid: ${e.message}`);
  }

  const publicKey = await importJWK(jwk, ALG);
  let payloadBytes;
  try {
    ({payload: payloadBytes} = await compactVerify(jws, publicKey, {
      algorithms: [ALG]
    }));
  } catch(e) {
    throw new InvalidError(`${e.code || 'JWS'}: ${e.message}`);
  }

  let credential;
  try {
    credential = JSON.parse(new TextDecoder('utf-8', {fatal: true})
      .decode(payloadBytes));
  } catch(e) {
    throw new InvalidError(`payload is not JSON: ${e.message}`);
  }
  if(!credential || typeof credential !== 'object' ||
    Array.isArray(credential)) {
    throw new InvalidError('payload is not a JSON object');
  }
  const ctx = credential['@context'];
  if(!Array.isArray(ctx) || ctx[0] !== VC_V2_CONTEXT) {
    throw new InvalidError(
      `payload "@context" must be an array starting with "${VC_V2_CONTEXT}"`);
  }
  const types = [].concat(credential.type ?? []);
  if(!types.includes('VerifiableCredential')) {
    throw new InvalidError('payload "type" must include VerifiableCredential');
  }
  const iss = issuerId(credential);
  if(iss !== kidDid) {
    throw new InvalidError(
      `payload issuer ${JSON.stringify(iss)} does not match the kid's DID ` +
      `${kidDid}`);
  }
  const now = Date.now();
  const validFrom = checkDate(credential, 'validFrom', now);
  if(validFrom !== null && validFrom - MAX_CLOCK_SKEW_MS > now) {
    throw new InvalidError(`not yet valid (validFrom ${credential.validFrom})`);
  }
  const validUntil = checkDate(credential, 'validUntil', now);
  if(validUntil !== null && validUntil + MAX_CLOCK_SKEW_MS < now) {
    throw new InvalidError(`expired (validUntil ${credential.validUntil})`);
  }
  console.log('verified');
  return 0;
}

await run(async () => {
  const [command, ...rest] = process.argv.slice(2);
  if(command === 'keygen') {
    return keygen(rest);
  }
  if(command === 'sign') {
    return sign(rest);
  }
  if(command === 'sign-jwt') {
    return signJwt(rest);
  }
  if(command === 'verify') {
    return verify(rest);
  }
  throw new ArgError(`unknown command "${command ?? ''}"`);
}, USAGE);
