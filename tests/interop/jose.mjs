#!/usr/bin/env node
// VC-JOSE-COSE (compact JWS, typ "vc+jwt") for VCDM 2.0 credentials, using
// panva's `jose`. The issuer key is an Ed25519 did:key.
//
//   node jose.mjs sign --key KEY.jwk IN.json   > credential.jwt
//   node jose.mjs verify FILE
//
// See README.md for what is checked and the exit codes.

import {CompactSign, compactVerify, decodeProtectedHeader, importJWK} from
  'jose';

import {
  ArgError, InvalidError, UsageError, issuerId, parseArgs, readJsonObject,
  readText, run, setIssuer
} from './lib/cli.mjs';
import {didKeyToPublicJwk, parseDidKey, readPrivateJwk} from
  './lib/didkey.mjs';

const USAGE = `usage:
  node jose.mjs sign --key KEY.jwk IN.json
  node jose.mjs verify FILE`;

const TYP = 'vc+jwt';
const ALG = 'EdDSA';
const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
const MAX_CLOCK_SKEW_MS = 300 * 1000;

function oneFile(positional) {
  if(positional.length !== 1) {
    throw new ArgError('expected exactly one input file');
  }
  return positional[0];
}

async function sign(argv) {
  const {positional, options} = parseArgs(argv, ['key']);
  if(!options.key) {
    throw new ArgError('--key KEY.jwk is required');
  }
  const credential = readJsonObject(oneFile(positional), 'credential');
  const key = readPrivateJwk(options.key);
  setIssuer(credential, key.did);
  const privateKey = await importJWK(key.jwk, ALG);
  const jws = await new CompactSign(
    new TextEncoder().encode(JSON.stringify(credential)))
    .setProtectedHeader({alg: ALG, typ: TYP, kid: key.vmId})
    .sign(privateKey);
  process.stdout.write(jws + '\n');
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
  if(command === 'sign') {
    return sign(rest);
  }
  if(command === 'verify') {
    return verify(rest);
  }
  throw new ArgError(`unknown command "${command ?? ''}"`);
}, USAGE);
