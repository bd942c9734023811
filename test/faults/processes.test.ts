import t from 'tap';
import { createTestDatabase, engine } from '../helpers/database.js';
import { bootstrapKey, mintKey, type Service, startService } from '../helpers/service.js';

const TASKS = ['tj-2021-annex2-11', 'tj-2021-annex2-27', 'tj-2021-annex2-44'];
/** Six writers, 24 increments each, over three tasks: 48 per task, under the progress cap of 100. */
const ROUNDS = 24;

interface TaskBody {
  version: number;
  progress: number;
}

if (engine !== 'postgres') {
  t.comment('SKIPPED on PGlite: one embedded database per process (runs in the PostgreSQL half)');
} else {
  t.test('three processes on one PostgreSQL: no lost update, one answer per Idempotency-Key, chains verify', async (t) => {
    const database = await createTestDatabase({ seed: false });
    await database.handle.close();
    t.teardown(() => database.drop());
    const admin = bootstrapKey();
    const env = { DATABASE_URL: database.url!, BOOTSTRAP_ADMIN_KEY: admin, RATE_LIMIT_PER_MINUTE: '1000000', WEBHOOK_DISPATCH: 'false' };
    // Started together: they migrate and seed one at a time under the startup lock.
    const services: Service[] = await Promise.all([startService(env), startService(env), startService(env)]);
    t.teardown(() => services.forEach((service) => service.child.kill('SIGKILL')));
    const lead = await mintKey(services[0]!, admin, { role: 'agency', agencyId: 'tj-hrss-bureau', label: 'processes' });
    const auditor = await mintKey(services[1]!, admin, { role: 'auditor', label: 'processes' });
    const call = (service: Service, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${service.url}${path}`, {
        method,
        headers: { authorization: lead, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    for (const taskId of TASKS) t.equal((await call(services[0]!, 'PATCH', `/v1/tasks/${taskId}`, { status: 'in_progress' }, { 'if-match': '"1"' })).status, 200);

    // Each writer adds 1 to a task's progress: read, then PATCH with If-Match, again after a 412.
    // Every 200 is one increment, so a lost update would leave the progress below the count.
    let conflicts = 0;
    const applied = new Map<string, number>(TASKS.map((id) => [id, 0]));
    const writer = async (index: number) => {
      for (let round = 0; round < ROUNDS; round++) {
        const taskId = TASKS[(index + round) % TASKS.length]!;
        for (let attempt = 0; ; attempt++) {
          const service = services[(index + attempt) % services.length]!;
          const current = (await (await call(service, 'GET', `/v1/tasks/${taskId}`)).json()) as TaskBody;
          const response = await call(service, 'PATCH', `/v1/tasks/${taskId}`, { progress: current.progress + 1 }, { 'if-match': `"${current.version}"` });
          if (response.status === 200) {
            applied.set(taskId, applied.get(taskId)! + 1);
            break;
          }
          if (response.status !== 412) throw new Error(`PATCH answered ${response.status}: ${await response.text()}`);
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, index) => writer(index)));
    t.comment(`${[...applied.values()].reduce((a, b) => a + b, 0)} increments applied, ${conflicts} If-Match conflicts retried`);
    t.ok(conflicts > 0, 'the writers really contended');
    for (const taskId of TASKS) {
      const task = (await (await call(services[2]!, 'GET', `/v1/tasks/${taskId}`)).json()) as TaskBody;
      t.equal(task.progress, applied.get(taskId), `${taskId}: progress equals the number of acknowledged increments`);
    }

    // The same report, with one Idempotency-Key, sent to all three processes at once.
    const answers = await Promise.all(
      services.flatMap((service) => [1, 2].map(() => call(service, 'POST', '/v1/tasks/tj-2021-annex2-44/reports', { note: '跨进程幂等' }, { 'idempotency-key': 'cross-process-1' }))),
    );
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as { event: { id: number } }[];
    t.same(new Set(answers.map((answer) => answer.status)), new Set([201]));
    t.equal(new Set(bodies.map((body) => body.event.id)).size, 1, 'every process answered with the same event');
    t.equal(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true').length, answers.length - 1, 'all but one were replays');
    const events = (await (await fetch(`${services[0]!.url}/v1/tasks/tj-2021-annex2-44/events?limit=200`, { headers: { authorization: auditor } })).json()) as { items: { note: string | null }[] };
    t.equal(events.items.filter((event) => event.note === '跨进程幂等').length, 1, 'one event in the ledger');

    const verify = (await (await fetch(`${services[1]!.url}/v1/audit/verify`, { headers: { authorization: auditor } })).json()) as { ok: boolean; problems: unknown[] };
    t.same(verify.problems, []);
    t.ok(verify.ok, 'every chain verifies');
    for (const service of services) service.child.kill('SIGTERM');
    t.same(await Promise.all(services.map((service) => service.exited)), services.map(() => ({ code: 0, signal: null })), 'all three stop cleanly');
  });
}
