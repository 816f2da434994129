#!/usr/bin/env node
// VCDM 1.1 credentials (context https://www.w3.org/2018/credentials/v1,
// issuanceDate) signed and verified with Digital Bazaar's libraries, fully
// offline, with either suite issuers on VCDM 1.1 use:
//   ed25519-2020     the Ed25519Signature2020 proof type
//                    (@digitalbazaar/ed25519-signature-2020)
//   eddsa-rdfc-2022  a DataIntegrityProof (@digitalbazaar/data-integrity),
//                    which adds the Data Integrity context when it signs
//
//   node di-v1.mjs sign   --key KEY.jwk --contexts DIR --suite SUITE IN.json > signed.json
//   node di-v1.mjs verify --contexts DIR --suite SUITE FILE
//
// See README.md for the contexts/index.json contract and exit codes.

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {
  ArgError, InvalidError, UsageError, parseArgs, readJsonObject, run, setIssuer
} from './lib/cli.mjs';
import {readPrivateJwk} from './lib/didkey.mjs';
import {createOfflineLoader} from './lib/loader.mjs';

const USAGE = `usage:
  node di-v1.mjs sign --key KEY.jwk --contexts DIR --suite SUITE IN.json
  node di-v1.mjs verify --contexts DIR --suite SUITE FILE
SUITE: ed25519-2020 | eddsa-rdfc-2022`;

const CREDENTIALS_V1 = 'https://www.w3.org/2018/credentials/v1';

/** The suite object for SUITE, signing with `signer` when given. */
function suiteFor(name, signer) {
  if(name === 'ed25519-2020') {
    return new Ed25519Signature2020(signer ? {signer} : {});
  }
  if(name === 'eddsa-rdfc-2022') {
    return new DataIntegrityProof(
      signer ? {signer, cryptosuite: eddsaRdfc2022} :
        {cryptosuite: eddsaRdfc2022});
  }
  throw new ArgError(`--suite must be ed25519-2020 or eddsa-rdfc-2022`);
}

function oneFile(positional) {
  if(positional.length !== 1) {
    throw new ArgError('expected exactly one input file');
  }
  return positional[0];
}

/** A VCDM 1.1 credential: its first context is credentials/v1. */
function requireV1(credential) {
  const context = [].concat(credential['@context'] ?? []);
  if(context[0] !== CREDENTIALS_V1) {
    throw new UsageError(`the first @context must be ${CREDENTIALS_V1}`);
  }
}

async function sign(argv) {
  const {positional, options} =
    parseArgs(argv, ['key', 'contexts', 'suite']);
  if(!options.key) {
    throw new ArgError('--key KEY.jwk is required');
  }
  const {documentLoader, refused} = createOfflineLoader(options.contexts);
  const credential = readJsonObject(oneFile(positional), 'credential');
  requireV1(credential);
  if('proof' in credential) {
    throw new UsageError('input already has a "proof"; remove it first');
  }
  const key = readPrivateJwk(options.key);
  setIssuer(credential, key.did);
  const keyPair = await Ed25519Multikey.fromJwk({
    jwk: key.jwk, secretKey: true, id: key.vmId, controller: key.did
  });
  const suite = suiteFor(options.suite, keyPair.signer());
  let signed;
  try {
    signed = await vc.issue({credential, suite, documentLoader});
  } catch(e) {
    if(refused.length) {
      throw new UsageError([...new Set(refused)].join('; '));
    }
    throw new InvalidError(`cannot sign: ${e.message}`, {stderr: true});
  }
  process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
  return 0;
}

async function verify(argv) {
  const {positional, options} = parseArgs(argv, ['contexts', 'suite']);
  const {documentLoader, refused} = createOfflineLoader(options.contexts);
  const credential = readJsonObject(oneFile(positional), 'credential');
  requireV1(credential);
  if(!credential.proof) {
    throw new InvalidError('credential has no "proof"');
  }
  const suite = suiteFor(options.suite);
  const result = await vc.verifyCredential({credential, suite, documentLoader});
  if(result.verified) {
    console.log('verified');
    return 0;
  }
  if(refused.length) {
    throw new UsageError([...new Set(refused)].join('; '));
  }
  const errors = [result.error, ...(result.results || []).map(r => r.error)]
    .filter(Boolean)
    .flatMap(e => (e.errors && e.errors.length ? e.errors : [e]))
    .map(e => e.message || String(e));
  throw new InvalidError([...new Set(errors)].join('; ') ||
    'unknown verification failure');
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
