import { createHash } from 'node:crypto';
import t from 'tap';
import { GENESIS_HASH, hashEntry, type LedgerEntry, recordedState, SYSTEM_ACTOR } from '../../src/domain/ledger.js';

const v1: LedgerEntry = {
  id: 1,
  hashVersion: 1,
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

const assignments = [
  { agencyId: 'tj-education-commission', role: 'lead' as const, position: 1, progress: null },
  { agencyId: 'tj-hrss-bureau', role: 'co' as const, position: 2, progress: 30 },
];
const v2: LedgerEntry = { ...v1, id: 7, hashVersion: 2, state: { ...v1.state, assignments } };

t.test('version 1 (events stored before version 2): sha256 of prevHash and the RFC 8785 encoding of the event without id and hashVersion', async (t) => {
  // Written out by hand: keys sorted, no whitespace, exactly as the code before version 2 hashed it.
  const canonical =
    '{"actor":{"agencyId":null,"keyId":null,"role":"system"},"at":"2026-01-05T08:00:00.000Z","changes":{"status":{"from":null,"to":"not_started"}},"evidence":[],"note":null,"prevHash":"' +
    GENESIS_HASH +
    '","seq":1,"state":{"dueDate":null,"lastReportAt":null,"progress":0,"status":"not_started"},"taskId":"tj-2021-annex2-01","type":"created"}';
  t.equal(hashEntry(v1), createHash('sha256').update(GENESIS_HASH + canonical).digest('hex'));
  t.equal(hashEntry({ ...v1, id: 99 }), hashEntry(v1), 'version 1 does not cover the position: the reason for version 2');
});

t.test('version 2: the same over the event without hash, so the position, the version and the assignments in the state', async (t) => {
  const canonical =
    '{"actor":{"agencyId":null,"keyId":null,"role":"system"},"at":"2026-01-05T08:00:00.000Z","changes":{"status":{"from":null,"to":"not_started"}},"evidence":[],"hashVersion":2,"id":7,"note":null,"prevHash":"' +
    GENESIS_HASH +
    '","seq":1,"state":{"assignments":[{"agencyId":"tj-education-commission","position":1,"progress":null,"role":"lead"},{"agencyId":"tj-hrss-bureau","position":2,"progress":30,"role":"co"}],"dueDate":null,"lastReportAt":null,"progress":0,"status":"not_started"},"taskId":"tj-2021-annex2-01","type":"created"}';
  t.equal(hashEntry(v2), createHash('sha256').update(GENESIS_HASH + canonical).digest('hex'));
});

t.test('any change to what a version covers changes the hash; key order does not', async (t) => {
  for (const entry of [v1, v2]) {
    const original = hashEntry(entry);
    t.not(hashEntry({ ...entry, note: 'x' }), original);
    t.not(hashEntry({ ...entry, prevHash: 'f'.repeat(64) }), original);
    t.not(hashEntry({ ...entry, changes: { status: { from: null, to: 'in_progress' } } }), original);
    const reordered = Object.fromEntries(Object.entries(entry).reverse()) as LedgerEntry;
    t.equal(hashEntry(reordered), original);
  }
  const original = hashEntry(v2);
  t.not(hashEntry({ ...v2, id: 8 }), original, 'the position');
  t.not(hashEntry({ ...v2, hashVersion: 1 }), original, 'the version');
  const [lead, co] = assignments;
  t.not(hashEntry({ ...v2, state: { ...v2.state, assignments: [{ ...co!, role: 'lead', position: 1 }, { ...lead!, role: 'co', position: 2 }] } }), original, 'who leads');
  t.not(hashEntry({ ...v2, state: { ...v2.state, assignments: [lead!, { ...co!, progress: 40 }] } }), original, 'a share’s progress');
});

t.test('a task’s current state is compared with what its last event’s version records', async (t) => {
  const current = { ...v1.state, assignments };
  t.same(recordedState(1, current), v1.state, 'version 1 recorded no assignments');
  t.same(recordedState(2, current), current);
});
