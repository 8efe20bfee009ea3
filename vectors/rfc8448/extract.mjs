#!/usr/bin/env node
// @ts-check
// Turns the traces of RFC 8448 (Example Handshake Traces for TLS 1.3) into JSON data.
//
//   node vectors/rfc8448/extract.mjs [path/to/rfc8448.txt]
//
// writes one JSON file per section beside this script. test/vectors/rfc8448-extract.test.ts
// checks that the checked-in files equal a fresh extraction. Plain JS so that node runs it as is.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Output file (without .json) for each section of RFC 8448. */
export const SECTIONS = {
  2: 'private-keys',
  3: 'simple-1rtt',
  4: 'resumed-0rtt',
  5: 'hello-retry-request',
  6: 'client-auth',
  7: 'compat-mode',
};

/** RFC 8446 §4 HandshakeType names, as RFC 8448 labels the messages. */
const HANDSHAKE_TYPES = {
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  5: 'EndOfEarlyData',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  13: 'CertificateRequest',
  15: 'CertificateVerify',
  20: 'Finished',
};

/** RFC 8446 §4.1.3: the ServerHello.random of a HelloRetryRequest, SHA-256("HelloRetryRequest"). */
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

/** Page furniture (RFC 7322 style): form feed, running header, footer. */
const PAGE_BREAK = [/^\f$/, /^RFC 8448 {2,}TLS 1\.3 Traces {2,}January 2019$/, /^Thomson {2,}Informational {2,}\[Page \d+\]$/];

/**
 * Returns the lines of the RFC without page breaks (form feed, header, footer).
 * Blank lines are kept: hex blocks are continued by indentation, not adjacency.
 * @param {string} text
 */
export function contentLines(text) {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => !PAGE_BREAK.some((re) => re.test(l)));
}

/** @param {string} s */
function hexOf(s) {
  if (!/^[0-9a-f]{2}( [0-9a-f]{2})*$/.test(s)) throw new Error(`not a hex run: ${JSON.stringify(s)}`);
  return s.replace(/ /g, '');
}

/**
 * Splits the lines into sections by their "N.  Title" headings (column 0).
 * @param {string[]} lines
 * @returns {Map<number, { title: string, lines: string[] }>}
 */
function splitSections(lines) {
  /** @type {Map<number, { title: string, lines: string[] }>} */
  const sections = new Map();
  /** @type {{ title: string, lines: string[] } | undefined} */
  let cur;
  for (const line of lines) {
    const m = /^(\d+)\.  (\S.*)$/.exec(line);
    if (m) {
      cur = { title: m[2] ?? '', lines: [] };
      sections.set(Number(m[1]), cur);
    } else if (cur) cur.lines.push(line);
  }
  return sections;
}

/**
 * One printed value: "label (N octets):  hex" or "label:  text", hex continued on lines
 * indented by `contIndent` spaces.
 * @typedef {{ label: string, octets?: number, hex: string, text?: string }} Item
 */

/**
 * Parses the value part of an item line (and the continuation lines collected for it).
 * @param {string} label @param {number | undefined} octets @param {string[]} parts
 * @returns {Item}
 */
function makeItem(label, octets, parts) {
  const first = parts[0] ?? '';
  /** @type {Item} */
  const item = { label };
  if (octets !== undefined) item.octets = octets;
  if (first === '(empty)' || /^0 \(all zero octets\)$/.test(first)) {
    if (parts.length !== 1) throw new Error(`${label}: continuation after ${first}`);
    item.hex = '';
    item.text = first;
  } else {
    item.hex = parts.map(hexOf).join('');
  }
  if (octets !== undefined && item.hex.length !== 2 * octets) {
    throw new Error(`${label}: ${item.hex.length / 2} octets printed, ${octets} announced`);
  }
  return item;
}

/**
 * Parses §2: items at 3 spaces, hex continued at 6.
 * @param {string[]} lines
 */
function parsePrivateKeys(lines) {
  /** @type {Item[]} */
  const items = [];
  /** @type {{ label: string, parts: string[] } | undefined} */
  let cur;
  const flush = () => {
    if (cur) items.push(makeItem(cur.label, undefined, cur.parts));
    cur = undefined;
  };
  /** @type {string[]} */
  const prose = [];
  for (const line of lines) {
    if (line === '') continue;
    const item = /^ {3}([a-z][a-z0-9 ()]*):  (\S.*)$/.exec(line);
    if (item) {
      flush();
      cur = { label: item[1] ?? '', parts: [item[2] ?? ''] };
    } else if (cur && /^ {6}[0-9a-f]{2}( [0-9a-f]{2})*$/.test(line)) {
      cur.parts.push(line.trim());
    } else if (!cur && /^ {3}\S/.test(line)) {
      prose.push(line.trim());
    } else {
      throw new Error(`§2: unexpected line ${JSON.stringify(line)}`);
    }
  }
  flush();
  /** @param {string} label */
  const need = (label) => {
    const it = items.find((i) => i.label === label);
    if (!it) throw new Error(`§2: no ${label}`);
    return it.hex;
  };
  return {
    description: prose.join(' '),
    items,
    rsa: {
      n: need('modulus (public)'),
      e: need('public exponent'),
      d: need('private exponent'),
      p: need('prime1'),
      q: need('prime2'),
      dp: need('exponent1'),
      dq: need('exponent2'),
      qi: need('coefficient'),
    },
  };
}

/**
 * One action of a trace: "{side}  action:" and the items printed under it.
 * @typedef {{ side: 'client' | 'server', action: string, sameAs?: string, items: Item[] }} Action
 */

/**
 * Parses a trace section (§3..§7) into its actions.
 * @param {number} num @param {string[]} lines
 */
function parseActions(num, lines) {
  /** @type {Action[]} */
  const actions = [];
  /** @type {string[]} */
  const prose = [];
  /** @type {{ side: 'client' | 'server', text: string } | undefined} */
  let header; // an action heading still open (unbalanced parenthesis)
  /** @type {{ label: string, octets: number | undefined, parts: string[] } | undefined} */
  let item;
  const flushItem = () => {
    if (item) {
      const last = actions[actions.length - 1];
      if (!last) throw new Error(`§${num}: item outside an action`);
      last.items.push(makeItem(item.label, item.octets, item.parts));
    }
    item = undefined;
  };
  /** @param {'client' | 'server'} side @param {string} text */
  const closeHeader = (side, text) => {
    let action = text.replace(/:$/, '');
    /** @type {Action} */
    const a = { side, action, items: [] };
    const same = /^(.*?) \(same as (.*)\)$/.exec(action);
    if (same) {
      a.action = same[1] ?? '';
      a.sameAs = same[2] ?? '';
    }
    actions.push(a);
  };
  const open = (/** @type {string} */ t) => (t.match(/\(/g) ?? []).length > (t.match(/\)/g) ?? []).length;

  for (const line of lines) {
    if (line === '') continue;
    if (header) {
      // An action heading wrapped onto the next line, at 6 spaces.
      if (!/^ {6}\S/.test(line)) throw new Error(`§${num}: unterminated action ${header.text}`);
      header.text += ' ' + line.trim();
      if (!open(header.text)) {
        closeHeader(header.side, header.text);
        header = undefined;
      }
      continue;
    }
    const act = /^ {3}\{(client|server)\} {2}(\S.*)$/.exec(line);
    if (act) {
      flushItem();
      const side = act[1] === 'client' ? 'client' : 'server';
      const text = act[2] ?? '';
      if (open(text)) header = { side, text };
      else closeHeader(side, text);
      continue;
    }
    if (actions.length === 0) {
      if (!/^ {3,}\S/.test(line)) throw new Error(`§${num}: unexpected line ${JSON.stringify(line)}`);
      prose.push(line.trim());
      continue;
    }
    const it = /^ {6}([A-Za-z][A-Za-z ]*?)(?: \((\d+) octets\))?:  (\S.*)$/.exec(line);
    if (it) {
      flushItem();
      item = { label: it[1] ?? '', octets: it[2] === undefined ? undefined : Number(it[2]), parts: [it[3] ?? ''] };
      continue;
    }
    if (item && /^ {9}[0-9a-f]{2}( [0-9a-f]{2})*$/.test(line)) {
      item.parts.push(line.trim());
      continue;
    }
    throw new Error(`§${num}: unexpected line ${JSON.stringify(line)}`);
  }
  flushItem();
  if (header) throw new Error(`§${num}: unterminated action ${header.text}`);
  return { description: prose.join(' '), actions };
}

/**
 * Splits handshake record payloads into messages (RFC 8446 §4: msg_type, uint24 length).
 * @param {string} hex
 */
function splitHandshake(hex) {
  /** @type {string[]} */
  const out = [];
  let off = 0;
  while (off < hex.length) {
    const len = parseInt(hex.slice(off + 2, off + 8), 16);
    const end = off + 8 + 2 * len;
    if (Number.isNaN(len) || end > hex.length) throw new Error('handshake record payload: truncated message');
    out.push(hex.slice(off, end));
    off = end;
  }
  return out;
}

/** @param {string} hex @param {number} at @param {number} n */
const bytesAt = (hex, at, n) => hex.slice(2 * at, 2 * (at + n));

/**
 * Builds the JSON for one trace section: steps (one per printed value), the handshake
 * messages and records on the wire, and an index of the values tests use most.
 * @param {number} num @param {string} title @param {string[]} lines
 */
function buildTrace(num, title, lines) {
  const { description, actions } = parseActions(num, lines);

  /** @type {{ seq: number, side: string, action: string, label: string, hex: string, octets?: number, text?: string, sameAs?: string }[]} */
  const steps = [];
  actions.forEach((a, seq) => {
    const base = { seq, side: a.side, action: a.action };
    const same = a.sameAs === undefined ? {} : { sameAs: a.sameAs };
    // An action printed without values ("... (same as server)") keeps one step with no value.
    if (a.items.length === 0) steps.push({ ...base, label: '', hex: '', ...same });
    for (const it of a.items) steps.push({ ...base, ...it, ...same });
  });

  // Records on the wire, in order.
  /** @type {{ side: string, type: string, payload: string, record: string }[]} */
  const records = [];
  for (const a of actions) {
    const m = /^send (handshake|application_data|alert|change_cipher_spec) record$/.exec(a.action);
    if (!m) continue;
    const payload = a.items.find((i) => i.label === 'payload');
    const record = a.items.find((i) => i.label === 'complete record');
    if (!payload || !record || a.items.length !== 2) throw new Error(`§${num}: ${a.action} without payload and record`);
    records.push({ side: a.side, type: m[1] ?? '', payload: payload.hex, record: record.hex });
  }

  // Handshake messages as sent, split from the handshake record payloads.
  /** @type {{ side: string, type: string, hex: string }[]} */
  const messages = [];
  for (const r of records) {
    if (r.type !== 'handshake') continue;
    for (const hex of splitHandshake(r.payload)) {
      const code = parseInt(hex.slice(0, 2), 16);
      let type = /** @type {Record<number, string>} */ (HANDSHAKE_TYPES)[code];
      if (type === undefined) throw new Error(`§${num}: handshake type ${code}`);
      if (type === 'ServerHello' && bytesAt(hex, 6, 32) === HRR_RANDOM) type = 'HelloRetryRequest';
      messages.push({ side: r.side, type, hex });
    }
  }

  // Cross-check: each "construct a X handshake message" value is the next X sent by that side
  // (the ClientHello of §4 is printed without its binders: a prefix).
  /** @type {Record<string, number>} */
  const used = {};
  for (const a of actions) {
    const m = /^construct an? (\w+) handshake message$/.exec(a.action);
    if (!m) continue;
    const it = a.items[0];
    if (!it || a.items.length !== 1 || it.label !== m[1]) throw new Error(`§${num}: ${a.action}: one value named ${m[1]}`);
    const key = `${a.side} ${m[1]}`;
    const candidates = messages.filter(
      (x) => x.side === a.side && (x.type === m[1] || (m[1] === 'ServerHello' && x.type === 'HelloRetryRequest')),
    );
    const k = used[key] ?? 0;
    used[key] = k + 1;
    const sent = candidates[k];
    if (!sent || !(sent.hex === it.hex || (it.hex.length < sent.hex.length && sent.hex.startsWith(it.hex)))) {
      throw new Error(`§${num}: ${a.action} #${k} does not match the records`);
    }
  }

  // Names for the messages: the type; prefixed by the side when both sides send it; numbered
  // when one side sends it more than once.
  /** @type {Record<string, string>} */
  const index = {};
  /** @param {string} name @param {string} hex */
  const put = (name, hex) => {
    const prev = index[name];
    if (prev !== undefined && prev !== hex) throw new Error(`§${num}: two values for ${name}`);
    index[name] = hex;
  };
  for (const msg of messages) {
    const bothSides = new Set(messages.filter((x) => x.type === msg.type).map((x) => x.side)).size > 1;
    const same = messages.filter((x) => x.type === msg.type && x.side === msg.side);
    let name = bothSides ? `${msg.side}_${msg.type}` : msg.type;
    if (same.length > 1) name += String(same.indexOf(msg) + 1);
    put(name, msg.hex);
  }
  const ch = messages.find((x) => x.type === 'ClientHello');
  const sh = messages.find((x) => x.type === 'ServerHello');
  if (!ch || !sh) throw new Error(`§${num}: no ClientHello or ServerHello`);
  put('client_random', bytesAt(ch.hex, 6, 32));
  put('server_random', bytesAt(sh.hex, 6, 32));
  const sidLen = parseInt(bytesAt(sh.hex, 38, 1), 16);
  const cipherSuite = parseInt(bytesAt(sh.hex, 39 + sidLen, 2), 16);

  const other = (/** @type {string} */ s) => (s === 'client' ? 'server' : 'client');
  for (const a of actions) {
    /** @param {string} label */
    const v = (label) => {
      const it = a.items.find((i) => i.label === label);
      if (!it) throw new Error(`§${num}: ${a.side} ${a.action}: no ${label}`);
      return it.hex;
    };
    if (a.items.length === 0) continue;
    let m;
    if ((m = /^create an ephemeral (x25519|P-256) key pair$/.exec(a.action))) {
      const g = m[1] === 'x25519' ? 'x25519' : 'p256';
      put(`${a.side}_${g}_private_key`, v('private key'));
      put(`${a.side}_${g}_public_key`, v('public key'));
    } else if ((m = /^extract secret "(early|handshake|master)"$/.exec(a.action))) {
      put(`${m[1]}_secret`, v('secret'));
      put(`${m[1]}_ikm`, v('IKM'));
      const salt = a.items.find((i) => i.label === 'salt');
      if (salt && salt.hex !== '') put(`${m[1]}_salt`, salt.hex);
    } else if ((m = /^derive secret for (handshake|master) "tls13 derived"$/.exec(a.action))) {
      put(`derived_for_${m[1]}`, v('expanded'));
    } else if ((m = /^derive secret "tls13 ([a-z ]+)"$/.exec(a.action))) {
      const name = (m[1] ?? '').replace(/ /g, '_');
      put(name, v('expanded'));
      put(`hash_for_${name}`, v('hash'));
    } else if ((m = /^derive (read|write) traffic keys for (handshake|application|early application) data$/.exec(a.action))) {
      const writer = m[1] === 'write' ? a.side : other(a.side);
      const phase = m[2] === 'early application' ? 'early' : m[2];
      put(`${writer}_${phase}_key`, v('key expanded'));
      put(`${writer}_${phase}_iv`, v('iv expanded'));
    } else if (a.action === 'calculate finished "tls13 finished"') {
      put(`${a.side}_finished_key`, v('expanded'));
      put(`${a.side}_verify_data`, v('finished'));
      // PRK is the BaseKey (the sender's handshake traffic secret); "hash" is the empty context.
      put(`${a.side}_finished_base_key`, v('PRK'));
    } else if (a.action === 'calculate PSK binder') {
      put('truncated_client_hello', v('ClientHello prefix'));
      put('binder_hash', v('binder hash'));
      put('binder_key', v('PRK'));
      put('binder_finished_key', v('expanded'));
      put('binder', v('finished'));
    } else if (a.action === 'generate resumption secret "tls13 resumption"') {
      put('resumption_master_secret', v('PRK'));
      put('ticket_nonce', v('hash'));
      put('resumption_psk', v('expanded'));
    }
  }
  // The inputs of the schedule, by their protocol names.
  const zeroIkm = (/** @type {string | undefined} */ h) => h === undefined || /^0*$/.test(h);
  if (!zeroIkm(index.early_ikm)) put('psk', index.early_ikm ?? '');
  if (!zeroIkm(index.handshake_ikm)) put('ecdhe_shared_secret', index.handshake_ikm ?? '');

  return { rfc: 8448, section: num, title, name: SECTIONS[/** @type {keyof typeof SECTIONS} */ (num)], description, cipherSuite, steps, messages, records, index };
}

/**
 * Extracts every section of RFC 8448 as `{ [file name]: data }`.
 * @param {string} text the RFC 8448 text
 * @returns {Record<string, unknown>}
 */
export function extractRfc8448(text) {
  const sections = splitSections(contentLines(text));
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [numStr, name] of Object.entries(SECTIONS)) {
    const num = Number(numStr);
    const sec = sections.get(num);
    if (!sec) throw new Error(`RFC 8448: no section ${num}`);
    out[name] =
      num === 2
        ? { rfc: 8448, section: 2, title: sec.title, name, ...parsePrivateKeys(sec.lines) }
        : buildTrace(num, sec.title, sec.lines);
  }
  return out;
}

/**
 * JSON with two-space indent, but an array element that is a flat object stays on one line
 * (one step, message or record per line).
 * @param {unknown} value
 */
export function serialize(value) {
  /** @param {unknown} v @param {string} ind @returns {string} */
  const ser = (v, ind) => {
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      const inner = ind + '  ';
      const flat = (/** @type {unknown} */ x) =>
        x !== null && typeof x === 'object' && !Array.isArray(x) && Object.values(x).every((y) => y === null || typeof y !== 'object');
      return '[\n' + v.map((x) => inner + (flat(x) ? JSON.stringify(x) : ser(x, inner))).join(',\n') + '\n' + ind + ']';
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length === 0) return '{}';
      const inner = ind + '  ';
      return '{\n' + entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${ser(x, inner)}`).join(',\n') + '\n' + ind + '}';
    }
    return JSON.stringify(v);
  };
  return ser(value, '') + '\n';
}

/** Where the RFC text is looked for: `shared/` beside the repository, then /work/shared. */
export function defaultRfcPath() {
  const candidates = [
    process.env.RFC8448_TXT,
    fileURLToPath(new URL('../../../shared/rfc/rfc8448.txt', import.meta.url)),
    '/work/shared/rfc/rfc8448.txt',
  ];
  return candidates.find((p) => p !== undefined && p !== '' && existsSync(p));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.argv[2] ?? defaultRfcPath();
  if (!path) throw new Error('rfc8448.txt not found: pass its path');
  const files = extractRfc8448(readFileSync(path, 'utf8'));
  for (const [name, data] of Object.entries(files)) {
    const out = new URL(`./${name}.json`, import.meta.url);
    writeFileSync(out, serialize(data));
    console.log(`wrote ${fileURLToPath(out)}`);
  }
}
