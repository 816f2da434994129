#!/usr/bin/env node
// Data Integrity (cryptosuite eddsa-rdfc-2022) signing and verification of
// VCDM credentials with Digital Bazaar's libraries, fully offline.
//
//   node di.mjs sign   --key KEY.jwk --contexts DIR IN.json   > signed.json
//   node di.mjs verify --contexts DIR FILE
//   node di.mjs present --key HOLDER.jwk --contexts DIR --challenge C --domain D VC.json...
//                                                         > presentation.json
//   node di.mjs verify-presentation --contexts DIR --challenge C --domain D FILE
//
// See README.md for the contexts/index.json contract and exit codes.

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {
  ArgError, InvalidError, UsageError, parseArgs, readJsonObject, run, setIssuer
} from './lib/cli.mjs';
import {readPrivateJwk} from './lib/didkey.mjs';
import {createOfflineLoader} from './lib/loader.mjs';

const USAGE = `usage:
  node di.mjs sign --key KEY.jwk --contexts DIR IN.json
  node di.mjs verify --contexts DIR FILE
  node di.mjs present --key HOLDER.jwk --contexts DIR --challenge C --domain D VC.json...
  node di.mjs verify-presentation --contexts DIR --challenge C --domain D FILE`;

function oneFile(positional) {
  if(positional.length !== 1) {
    throw new ArgError('expected exactly one input file');
  }
  return positional[0];
}

/** Flattens the (possibly nested) errors of a jsonld-signatures result. */
function errorMessages(result) {
  const out = [];
  const seen = new Set();
  const visit = err => {
    if(!err || seen.has(err)) {
      return;
    }
    seen.add(err);
    if(Array.isArray(err.errors) && err.errors.length > 0) {
      err.errors.forEach(visit);
      return;
    }
    let msg = err.message || String(err);
    // jsonld safe-mode errors carry the offending term in details.event
    const event = err.details && err.details.event;
    if(event) {
      msg += ` (${event.code}: ${event.message}` +
        (event.details ? ` ${JSON.stringify(event.details)}` : '') + ')';
    }
    if(!out.includes(msg)) {
      out.push(msg);
    }
  };
  visit(result.error);
  for(const r of result.results || []) {
    visit(r.error);
    visit(r.purposeResult && r.purposeResult.error);
  }
  return out.length ? out : ['unknown verification failure'];
}

async function sign(argv) {
  const {positional, options} = parseArgs(argv, ['key', 'contexts']);
  if(!options.key) {
    throw new ArgError('--key KEY.jwk is required');
  }
  const {documentLoader, refused} = createOfflineLoader(options.contexts);
  const credential = readJsonObject(oneFile(positional), 'credential');
  if('proof' in credential) {
    throw new UsageError('input already has a "proof"; remove it first');
  }
  const key = readPrivateJwk(options.key);
  setIssuer(credential, key.did);

  const keyPair = await Ed25519Multikey.fromJwk({
    jwk: key.jwk, secretKey: true, id: key.vmId, controller: key.did
  });
  if(keyPair.publicKeyMultibase !== key.multibase) {
    // our did:key encoding and Digital Bazaar's must agree
    throw new Error(
      `did:key mismatch: ${keyPair.publicKeyMultibase} vs ${key.multibase}`);
  }
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite: eddsaRdfc2022
  });

  return printSigned(() => vc.issue({credential, suite, documentLoader}), refused);
}

/** Runs a signing call and prints its result; a context the loader refused is named. */
async function printSigned(signing, refused) {
  let signed;
  try {
    signed = await signing();
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
  const {positional, options} = parseArgs(argv, ['contexts']);
  const {documentLoader, refused} = createOfflineLoader(options.contexts);
  const credential = readJsonObject(oneFile(positional), 'credential');
  if(!credential.proof) {
    throw new InvalidError('credential has no "proof"');
  }

  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const verifyOptions = {credential, suite, documentLoader};
  if(credential.credentialStatus) {
    // @digitalbazaar/vc refuses credentials with a status unless a
    // checkStatus function is given; status lists are out of scope here.
    console.error('note: credentialStatus present; status was NOT checked');
    verifyOptions.checkStatus = async () => ({verified: true});
  }
  const result = await vc.verifyCredential(verifyOptions);
  if(result.verified) {
    console.log('verified');
    return 0;
  }
  if(refused.length) {
    throw new UsageError([...new Set(refused)].join('; '));
  }
  throw new InvalidError(errorMessages(result).join('; '));
}

/** A presentation of one or more credentials, signed by the holder KEY with challenge and
 * domain. */
async function present(argv) {
  const {positional, options} = parseArgs(
    argv, ['key', 'contexts', 'challenge', 'domain']);
  if(!options.key || !options.challenge || !options.domain) {
    throw new ArgError('--key, --challenge and --domain are required');
  }
  const {documentLoader, refused} = createOfflineLoader(options.contexts);
  if(positional.length === 0) {
    throw new ArgError('expected at least one credential file');
  }
  const credentials = positional.map(file => readJsonObject(file, 'credential'));
  const key = readPrivateJwk(options.key);
  const keyPair = await Ed25519Multikey.fromJwk({
    jwk: key.jwk, secretKey: true, id: key.vmId, controller: key.did
  });
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(), cryptosuite: eddsaRdfc2022
  });
  const presentation = vc.createPresentation({
    verifiableCredential: credentials, holder: key.did
  });
  return printSigned(() => vc.signPresentation({
    presentation, suite, documentLoader,
    challenge: options.challenge, domain: options.domain
  }), refused);
}

/** Verifies a presentation: the holder's proof for challenge and domain, and each
 * credential's. */
async function verifyPresentation(argv) {
  const {positional, options} = parseArgs(
    argv, ['contexts', 'challenge', 'domain']);
  if(!options.challenge || !options.domain) {
    throw new ArgError('--challenge and --domain are required');
  }
  const {documentLoader, refused} = createOfflineLoader(options.contexts);
  const presentation = readJsonObject(oneFile(positional), 'presentation');
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const verifyOptions = {
    presentation, suite, documentLoader,
    challenge: options.challenge, domain: options.domain
  };
  const credentials = [presentation.verifiableCredential ?? []].flat();
  if(credentials.some(credential => credential.credentialStatus)) {
    console.error('note: credentialStatus present; status was NOT checked');
    verifyOptions.checkStatus = async () => ({verified: true});
  }
  const result = await vc.verify(verifyOptions);
  if(result.verified) {
    console.log('verified');
    return 0;
  }
  if(refused.length) {
    throw new UsageError([...new Set(refused)].join('; '));
  }
  const credentialErrors = (result.credentialResults || [])
    .flatMap(credential => errorMessages(credential));
  throw new InvalidError(
    [...errorMessages(result.presentationResult || {}), ...credentialErrors]
      .join('; ') || 'not verified');
}

await run(async () => {
  const [command, ...rest] = process.argv.slice(2);
  if(command === 'sign') {
    return sign(rest);
  }
  if(command === 'verify') {
    return verify(rest);
  }
  if(command === 'present') {
    return present(rest);
  }
  if(command === 'verify-presentation') {
    return verifyPresentation(rest);
  }
  throw new ArgError(`unknown command "${command ?? ''}"`);
}, USAGE);
