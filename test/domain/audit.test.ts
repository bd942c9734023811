import t from 'tap';
import { checkChain, ledgerRoot, type StoredEvent } from '../../src/domain/audit.js';
import { GENESIS_HASH, hashEntry, type HashVersion, type LedgerEntry, SYSTEM_ACTOR } from '../../src/domain/ledger.js';

const assignments = [
  { agencyId: 'lead-unit', role: 'lead' as const, position: 1, progress: null },
  { agencyId: 'co-unit', role: 'co' as const, position: 2, progress: null },
];
const state = { status: 'in_progress' as const, progress: 10, dueDate: null, lastReportAt: '2026-01-01T00:00:00.000Z', assignments };

/** A chain as the ledger writes it: positions from firstId, each event hashed with its version. */
function chain(length: number, versions: (seq: number) => HashVersion = () => 2, firstId = 1): StoredEvent[] {
  const events: StoredEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const hashVersion = versions(seq);
    const { assignments: _assignments, ...v1State } = state;
    const entry: LedgerEntry = {
      id: firstId + seq - 1,
      hashVersion,
      taskId: 't',
      seq,
      type: 'progress_reported',
      at: '2026-01-01T00:00:00.000Z',
      actor: SYSTEM_ACTOR,
      changes: {},
      note: `n${seq}`,
      evidence: [],
      state: hashVersion === 1 ? v1State : state,
      prevHash,
    };
    const hash = hashEntry(entry);
    events.push({ id: entry.id, entry, hash });
    prevHash = hash;
  }
  return events;
}

t.test('an intact chain has no problems', async (t) => {
  t.same(checkChain('t', chain(4), { version: 4, lastEventId: 4, state }), []);
});

t.test('each kind of damage is named with its event', async (t) => {
  const edited = chain(4);
  edited[1] = { ...edited[1]!, entry: { ...edited[1]!.entry, note: 'rewritten' } };
  t.match(checkChain('t', edited, { version: 4, lastEventId: 4, state }), [{ kind: 'hash_mismatch', eventId: 2, seq: 2 }]);

  const gap = chain(4).filter((e) => e.entry.seq !== 2);
  t.match(checkChain('t', gap, { version: 4, lastEventId: 4, state }), [
    { kind: 'seq_gap', eventId: 3 },
    { kind: 'broken_link', eventId: 3 },
    { kind: 'seq_gap', eventId: 4 },
    { kind: 'version_mismatch', eventId: null },
  ]);

  t.match(checkChain('t', chain(3), { version: 4, lastEventId: 4, state }), [{ kind: 'version_mismatch', detail: /version 4 but its chain has 3/ }]);
  t.match(checkChain('t', chain(2), { version: 2, lastEventId: 2, state: { ...state, status: 'verified' } }), [{ kind: 'state_mismatch', eventId: 2, seq: 2 }], 'a task row changed behind the ledger');
});

t.test('version 2 events: moved positions and changed assignments are caught', async (t) => {
  const swapped = chain(3).map((event) => ({ ...event, id: 4 - event.id, entry: { ...event.entry, id: 4 - event.id } }));
  t.match(
    checkChain('t', swapped, { version: 3, lastEventId: 3, state }).filter((problem) => problem.kind === 'hash_mismatch'),
    [
      { kind: 'hash_mismatch', eventId: 3, seq: 1 },
      { kind: 'hash_mismatch', eventId: 1, seq: 3 },
    ],
    'the hash covers the position',
  );
  const [lead, co] = assignments;
  const newLead = [
    { ...co!, role: 'lead' as const, position: 1 },
    { ...lead!, role: 'co' as const, position: 2 },
  ];
  t.match(checkChain('t', chain(2), { version: 2, lastEventId: 2, state: { ...state, assignments: newLead } }), [{ kind: 'state_mismatch', eventId: 2, detail: /assignments/ }]);
});

t.test('version 1 events: positions moved among them are caught by their order and the task row', async (t) => {
  const v1 = () => 1 as const;
  const swapped = chain(3, v1).map((event) => ({ ...event, id: event.id === 2 ? 3 : event.id === 3 ? 2 : event.id }));
  t.match(checkChain('t', swapped, { version: 3, lastEventId: 3, state }), [
    { kind: 'position_mismatch', eventId: 2, seq: 3, detail: /position 2 is not after/ },
    { kind: 'position_mismatch', eventId: 2, detail: /names position 3 as its latest event, its chain ends at 2/ },
  ]);
  const movedHead = chain(2, v1).map((event) => (event.id === 2 ? { ...event, id: 9 } : event));
  t.match(checkChain('t', movedHead, { version: 2, lastEventId: 2, state }), [{ kind: 'position_mismatch', eventId: 9 }], 'a head moved to another position');
});

t.test('a chain begun with version 1 verifies, alone and continued with version 2', async (t) => {
  t.same(checkChain('t', chain(2, () => 1), { version: 2, lastEventId: 2, state }), [], 'its last event recorded no assignments, so none are compared');
  t.same(checkChain('t', chain(3, (seq) => (seq === 1 ? 1 : 2)), { version: 3, lastEventId: 3, state }), []);
  t.match(checkChain('t', chain(3, (seq) => (seq === 1 ? 1 : 2)), { version: 3, lastEventId: 3, state: { ...state, assignments: [] } }), [{ kind: 'state_mismatch', eventId: 3 }]);
});

t.test('the root is order-independent in its input and sensitive to every head and the position', async (t) => {
  const heads = [
    { taskId: 'b', seq: 2, hash: 'x'.repeat(64) },
    { taskId: 'a', seq: 1, hash: 'y'.repeat(64) },
  ];
  const root = ledgerRoot(3, heads);
  t.equal(ledgerRoot(3, [...heads].reverse()), root);
  t.not(ledgerRoot(4, heads), root);
  t.not(ledgerRoot(3, [{ ...heads[0]!, seq: 3 }, heads[1]!]), root);
  t.match(root, /^[0-9a-f]{64}$/);
});
