// Offline JSON-LD document loader for di.mjs.
//
// Serves exactly:
//   * the context URLs listed in <contexts dir>/index.json
//     ({"<url>": "<file relative to the dir>", ...}), read from disk, and
//   * did:key:z6Mk... DIDs and did:key:z6Mk...#z6Mk... verification methods,
//     built locally from the key in the DID.
// Every other URL is refused with an error (and recorded in `refused`, so the
// caller can report "unusable input" rather than "invalid credential").
// It never touches the network.

import {existsSync, readFileSync, statSync} from 'node:fs';
import {isAbsolute, join, resolve} from 'node:path';

import {ArgError, UsageError} from './cli.mjs';
import {
  didKeyDocument, didKeyVerificationMethod, parseDidKey
} from './didkey.mjs';

export class LoaderRefusal extends Error {}

export function createOfflineLoader(contextsDir) {
  if(!contextsDir) {
    throw new ArgError('--contexts DIR is required');
  }
  const dir = resolve(contextsDir);
  if(!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`contexts dir ${dir} does not exist`);
  }
  const indexPath = join(dir, 'index.json');
  let index;
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch(e) {
    throw new UsageError(`cannot read ${indexPath}: ${e.message}`);
  }
  if(!index || typeof index !== 'object' || Array.isArray(index)) {
    throw new UsageError(`${indexPath} must map context URL -> file name`);
  }

  // read and parse every context up front so a broken dir fails early
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    if(typeof file !== 'string' || isAbsolute(file)) {
      throw new UsageError(
        `${indexPath}: value for "${url}" must be a relative file name`);
    }
    const path = join(dir, file);
    let doc;
    try {
      doc = JSON.parse(readFileSync(path, 'utf8'));
    } catch(e) {
      throw new UsageError(
        `context file ${path} (for ${url}) is unusable: ${e.message}`);
    }
    if(!doc || typeof doc !== 'object' || !('@context' in doc)) {
      throw new UsageError(
        `context file ${path} (for ${url}) has no top-level "@context"`);
    }
    contexts.set(url, doc);
  }

  const refused = [];

  async function documentLoader(url) {
    if(contexts.has(url)) {
      return {
        contextUrl: null,
        documentUrl: url,
        document: structuredClone(contexts.get(url))
      };
    }
    if(typeof url === 'string' && url.startsWith('did:key:')) {
      let parsed;
      try {
        parsed = parseDidKey(url);
      } catch(e) {
        // a malformed did:key is a property of the input, not of the harness
        throw new Error(`cannot resolve ${url}: ${e.message}`);
      }
      const {did, fragment, multibase} = parsed;
      const document = fragment === null ?
        didKeyDocument(did) : didKeyVerificationMethod(did, multibase);
      return {contextUrl: null, documentUrl: url, document};
    }
    const message =
      `offline document loader refused "${url}": it is not listed in ` +
      `${indexPath} and is not an Ed25519 did:key`;
    refused.push(message);
    throw new LoaderRefusal(message);
  }

  return {documentLoader, refused, urls: [...contexts.keys()]};
}
