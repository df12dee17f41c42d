// Verify a subject's access-log page in the browser: the checkpoint's signed note (Ed25519,
// C2SP signed-note), every entry's RFC 9162 inclusion proof, the subject chain inside the page,
// the signed subject head, and that head against one saved earlier. The same checks as
// ledger/verify.py (the CLI `credgate ledger verify`, the independent check).
import { b64decode, b64encode, concat, sha256, utf8 } from "./portal.js";

export class VerifyError extends Error {}

const fail = (message) => {
  throw new VerifyError(message);
};

// ---------------------------------------------------------------- RFC 9162 hashing

const leafHash = (leaf) => sha256(concat(new Uint8Array([0]), leaf));
const nodeHash = (left, right) => sha256(concat(new Uint8Array([1]), left, right));

function same(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** The root an inclusion proof leads to (RFC 9162 2.1.3.2), as ledger/merkle.py computes it. */
export async function rootFromInclusionProof(leaf, index, size, proof) {
  if (!(index >= 0 && index < size)) fail(`leaf index ${index} is not below tree size ${size}`);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32) fail("proof element is not a 32-byte hash");
    if (sn === 0) fail("inclusion proof is longer than the tree is deep");
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) fail("inclusion proof is shorter than the tree is deep");
  return r;
}

// ---------------------------------------------------------------- signed notes

const SIGNATURE_PREFIX = "\u2014 ";

async function keyHash(name, publicKey) {
  return (await sha256(concat(utf8(name), new Uint8Array([0x0a, 0x01]), publicKey))).slice(0, 4);
}

/** A verifier key `name+hash+base64(0x01||key)`, checked. */
export async function parseVerifierKey(text) {
  const trimmed = text.trim();
  const first = trimmed.indexOf("+");
  const second = trimmed.indexOf("+", first + 1);
  const parts = first < 0 || second < 0 ? [] : [trimmed.slice(0, first), trimmed.slice(first + 1, second), trimmed.slice(second + 1)];
  if (parts.length !== 3 || !parts[0] || !/^[0-9a-f]{8}$/.test(parts[1])) fail("malformed verifier key");
  const raw = b64decode(parts[2]);
  if (raw.length !== 33 || raw[0] !== 0x01) fail("verifier key is not an Ed25519 key");
  const publicKey = raw.slice(1);
  const hash = await keyHash(parts[0], publicKey);
  if (Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("") !== parts[1]) fail("verifier key hash does not match its name and key");
  const cryptoKey = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return { name: parts[0], hash, cryptoKey, text: trimmed };
}

/** The text of a signed note once a trusted key's signature on it checks (ledger/note.py). */
export async function openNote(note, verifiers) {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) fail("not a signed note");
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split("\n");
  let good = 0;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) fail("malformed signature line");
    const [name, blob64] = line.slice(SIGNATURE_PREFIX.length).split(" ");
    const blob = b64decode(blob64);
    const verifier = verifiers.find((v) => v.name === name && same(v.hash, blob.slice(0, 4)));
    if (!verifier) continue;
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, verifier.cryptoKey, blob.slice(4), utf8(text));
    if (!ok) fail(`invalid signature by trusted key ${name}`);
    good += 1;
  }
  if (!good) fail("note is not signed by any trusted key");
  return text;
}

function parseCheckpoint(text) {
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) fail("malformed checkpoint");
  const root = b64decode(lines[2]);
  if (root.length !== 32) fail("checkpoint root is not a SHA-256 hash");
  return { origin: lines[0], size: Number(lines[1]), root };
}

function parseHead(text) {
  const lines = text.slice(0, -1).split("\n");
  if (lines.length !== 7 || lines[0] !== "credgate subject head v1") fail("malformed subject head");
  const fields = {};
  for (const [i, name] of ["origin", "size", "root", "subject", "subject_seq", "index"].entries()) {
    const prefix = `${name} `;
    if (!lines[i + 1].startsWith(prefix)) fail(`subject head line ${i + 2} is not ${name}`);
    fields[name] = lines[i + 1].slice(prefix.length);
  }
  return {
    origin: fields.origin,
    size: Number(fields.size),
    root: b64decode(fields.root),
    subject: JSON.parse(fields.subject),
    seq: Number(fields.subject_seq),
    index: fields.index === "none" ? null : Number(fields.index),
  };
}

// ---------------------------------------------------------------- a page

/**
 * Verify ``page`` (GET /v1/me/access-log) for ``subject`` with trusted ``verifiers``.
 * ``saved`` is a head kept from an earlier check ({size, root (base64), seq, index}) or null.
 * Resolves to {size, entries: [{index, ok, problem}], head, previous}; throws VerifyError.
 */
export async function verifyPage(page, subject, verifiers, saved) {
  const checkpoint = parseCheckpoint(await openNote(page.checkpoint, verifiers));
  const results = [];
  const chain = [];
  for (const item of page.entries) {
    const result = { index: item.index, ok: false, problem: null };
    results.push(result);
    try {
      let hash;
      let link = null;
      if (item.leaf) {
        const leaf = b64decode(item.leaf);
        hash = await leafHash(leaf);
        const entry = JSON.parse(new TextDecoder().decode(leaf));
        if (entry.subject !== subject) fail(`entry ${item.index} is about another subject`);
        link = { index: item.index, seq: entry.subject_seq, prev: entry.prev_index };
      } else if (item.redacted && item.leaf_hash) {
        hash = b64decode(item.leaf_hash);
        link = { index: item.index, seq: item.subject_seq, prev: item.prev_index, redacted: true };
      } else {
        fail(`entry ${item.index} has neither a leaf nor a leaf hash`);
      }
      const root = await rootFromInclusionProof(hash, item.index, checkpoint.size, item.inclusion_proof.map(b64decode));
      if (!same(root, checkpoint.root)) fail(`inclusion proof for ${item.index} does not lead to the checkpoint's root`);
      chain.push(link);
      result.ok = true;
    } catch (error) {
      result.problem = error.message;
    }
  }
  const bad = results.find((r) => !r.ok);
  if (bad) fail(bad.problem);
  // newest first: each entry follows the one below it in the subject's chain
  for (let i = 0; i + 1 < chain.length; i++) {
    const newer = chain[i];
    const older = chain[i + 1];
    if (newer.seq !== older.seq + 1 || newer.prev !== older.index) fail(`the chain breaks between entries ${older.index} and ${newer.index}: an entry is missing or out of order`);
  }
  let head = null;
  if (page.head) {
    head = parseHead(await openNote(page.head, verifiers));
    if (head.origin !== checkpoint.origin || head.size !== checkpoint.size || !same(head.root, checkpoint.root)) fail("the subject head is not about the page's checkpoint");
    if (head.subject !== subject) fail("the subject head is about another subject");
    const newest = chain[0];
    if (newest ? head.index !== newest.index || head.seq !== newest.seq : head.index !== null || head.seq !== 0) fail("the subject head does not name the page's newest entry: entries were left out");
  }
  let previous = null;
  if (saved && head) {
    previous = saved;
    if (head.seq < saved.seq) fail(`the subject head counts ${head.seq} entries, fewer than the ${saved.seq} saved earlier`);
    if (head.size === saved.size && (b64encode(head.root) !== saved.root || head.index !== saved.index)) fail("two subject heads for one tree size disagree");
    for (const link of chain) {
      if (link.seq === saved.seq && link.index !== saved.index) fail(`entry ${saved.seq} was at index ${saved.index}, now at ${link.index}`);
      if (link.seq > saved.seq && link.index < saved.size) fail(`entry ${link.index} is new but lies in the tree the saved head covered: it was left out then`);
      if (link.seq === saved.seq + 1 && link.prev !== saved.index) fail("the chain does not continue from the saved head");
    }
  }
  return { size: checkpoint.size, entries: results, head: head && { size: head.size, root: b64encode(head.root), seq: head.seq, index: head.index }, previous };
}
