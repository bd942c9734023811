import { createHash } from 'node:crypto';
import t from 'tap';
import { GENESIS_HASH, hashEntry, type LedgerEntry, SYSTEM_ACTOR } from '../../src/domain/ledger.js';

const entry: LedgerEntry = {
  taskId: 'tj-2021-annex2-01',
  seq: 1,
  type: 'created',
  at: '2026-01-05T08:00:00.000Z',
  actor: SYSTEM_ACTOR,
  changes: { status: { from: null, to: 'not_started' } },
  note: null,
  evidence: [],
  state: { status: 'not_started', progress: 0, dueDate: null, lastReportAt: null },
  prevHash: GENESIS_HASH,
};

t.test('hash is sha256 of prevHash followed by the RFC 8785 encoding', async (t) => {
  // Written out by hand: keys sorted, no whitespace, exactly as an auditor would re-implement it.
  const canonical =
    '{"actor":{"agencyId":null,"keyId":null,"role":"system"},"at":"2026-01-05T08:00:00.000Z","changes":{"status":{"from":null,"to":"not_started"}},"evidence":[],"note":null,"prevHash":"' +
    GENESIS_HASH +
    '","seq":1,"state":{"dueDate":null,"lastReportAt":null,"progress":0,"status":"not_started"},"taskId":"tj-2021-annex2-01","type":"created"}';
  t.equal(hashEntry(entry), createHash('sha256').update(GENESIS_HASH + canonical).digest('hex'));
});

t.test('any change to the entry changes the hash; key order does not', async (t) => {
  const original = hashEntry(entry);
  t.not(hashEntry({ ...entry, note: 'x' }), original);
  t.not(hashEntry({ ...entry, prevHash: 'f'.repeat(64) }), original);
  t.not(hashEntry({ ...entry, changes: { status: { from: null, to: 'in_progress' } } }), original);
  const reordered = Object.fromEntries(Object.entries(entry).reverse()) as LedgerEntry;
  t.equal(hashEntry(reordered), original);
});
