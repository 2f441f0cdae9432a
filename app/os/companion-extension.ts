import { createHash } from 'node:crypto';

// The ids and the provider name live in the core, which gives the companion its provider name
// (app/core/security/roles.ts); they are re-exported here with the rest of the companion's facts.
export { COMPANION_EXTENSION_ID, COMPANION_FIREFOX_ID, COMPANION_PROVIDER_NAME } from '../core/security/roles.js';

/**
 * The ids of Inlet's companion extension (clients/browser-extension), which the manifest
 * installer allows by default (docs/discovery.md). Native messaging trusts an extension by id alone,
 * so the ids must not drift:
 *
 * - Chromium-family browsers derive an extension's id from the `key` in its manifest.json (the
 *   base64 DER SubjectPublicKeyInfo of an RSA key): the first 16 bytes of the key's SHA-256,
 *   written as 32 hex digits, each digit 0-f mapped to a letter a-p. The manifest carries a
 *   fixed key, so the unpacked extension has this id in every profile and on every machine.
 *   Only the public key is kept: nothing here signs packages, and the id needs no more.
 * - Firefox takes the id verbatim from `browser_specific_settings.gecko.id`.
 *
 * test/companion-extension.test.ts recomputes both from the manifest, so changing the key
 * without changing this file fails the build.
 */
/** Where the extension's sources live, relative to the project root. */
export const COMPANION_EXTENSION_DIR = 'clients/browser-extension';

/** The Chromium extension id for a manifest `key` (base64 DER public key). */
export function chromeExtensionIdFromKey(base64Key: string): string {
  const der = Buffer.from(base64Key.replace(/\s+/g, ''), 'base64');
  if (der.length === 0) throw new Error('An extension key must be a non-empty base64 DER public key.');
  return hexToExtensionAlphabet(createHash('sha256').update(der).digest('hex').slice(0, 32));
}

/**
 * The id Chromium gives an unpacked extension without a `key`: the same mapping over the
 * SHA-256 of its absolute directory path (as the browser sees it). Useful to predict the id of
 * a copy loaded from a temporary directory.
 */
export function chromeExtensionIdFromPath(absoluteDir: string): string {
  return hexToExtensionAlphabet(createHash('sha256').update(absoluteDir).digest('hex').slice(0, 32));
}

function hexToExtensionAlphabet(hex: string): string {
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}
