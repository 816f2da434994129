// Small CLI helpers shared by di.mjs and jose.mjs.
//
// Exit codes used by every script in tests/interop:
//   0  verified / done
//   1  input was processed and is NOT valid (reason on stdout)
//   2  unusable input: bad arguments, unreadable or malformed files, or the
//      input needs something this offline harness cannot resolve

import {readFileSync} from 'node:fs';

/** Input the harness cannot work with (exit code 2). */
export class UsageError extends Error {}

/** Bad command line (exit code 2, usage is printed). */
export class ArgError extends UsageError {}

/**
 * Input that was processed and found invalid (exit code 1). Verification
 * failures are reported on stdout as "not verified: <reason>"; failures of a
 * signing command (stderr: true) go to stderr.
 */
export class InvalidError extends Error {
  constructor(message, {stderr = false} = {}) {
    super(message);
    this.stderr = stderr;
  }
}

/**
 * Parses argv into {positional: [...], options: {name: value}}.
 * `valueOptions` lists the long options that take a value.
 */
export function parseArgs(argv, valueOptions) {
  const positional = [];
  const options = {};
  for(let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if(arg.startsWith('--')) {
      let name = arg.slice(2);
      let value;
      const eq = name.indexOf('=');
      if(eq !== -1) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      if(!valueOptions.includes(name)) {
        throw new ArgError(`unknown option --${name}`);
      }
      if(value === undefined) {
        if(i + 1 >= argv.length) {
          throw new ArgError(`option --${name} needs a value`);
        }
        value = argv[++i];
      }
      options[name] = value;
    } else {
      positional.push(arg);
    }
  }
  return {positional, options};
}

export function readText(path, what = 'file') {
  try {
    return readFileSync(path, 'utf8');
  } catch(e) {
    throw new UsageError(`cannot read ${what} ${path}: ${e.message}`);
  }
}

export function readJsonObject(path, what = 'JSON file') {
  const text = readText(path, what);
  let value;
  try {
    value = JSON.parse(text);
  } catch(e) {
    throw new UsageError(`${path} is not valid JSON: ${e.message}`);
  }
  if(!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${path} must hold a JSON object`);
  }
  return value;
}

/** Runs `main` and maps thrown errors to the exit codes above. */
export async function run(main, usage) {
  try {
    const code = await main();
    process.exitCode = code ?? 0;
  } catch(e) {
    if(e instanceof InvalidError) {
      if(e.stderr) {
        console.error(`error: ${e.message}`);
      } else {
        console.log(`not verified: ${e.message}`);
      }
      process.exitCode = 1;
    } else if(e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      if(usage && e instanceof ArgError) {
        console.error(usage);
      }
      process.exitCode = 2;
    } else {
      console.error(`error: ${e && e.stack || e}`);
      process.exitCode = 2;
    }
  }
}

/** Sets credential.issuer (string, or .id of an issuer object) to `did`. */
export function setIssuer(credential, did) {
  const {issuer} = credential;
  if(issuer && typeof issuer === 'object' && !Array.isArray(issuer)) {
    credential.issuer = {...issuer, id: did};
  } else {
    credential.issuer = did;
  }
}

/** The issuer id of a credential (string or {id}), or undefined. */
export function issuerId(credential) {
  const {issuer} = credential;
  if(typeof issuer === 'string') {
    return issuer;
  }
  if(issuer && typeof issuer === 'object' && typeof issuer.id === 'string') {
    return issuer.id;
  }
  return undefined;
}
