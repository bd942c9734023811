import t from 'tap';
import { getJson, setupApp } from '../helpers/app.js';
import { engine } from '../helpers/database.js';
import { postReport } from '../helpers/requests.js';

/** The value of one series in a Prometheus exposition, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

t.test('/metrics', async (t) => {
  const context = await setupApp(t);
  const { app, key } = context;
  const auditor = await key('auditor');
  const scrape = async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: auditor } });
    t.equal(response.statusCode, 200);
    return response.body;
  };

  t.test('needs an admin or auditor key', async (t) => {
    const anonymous = await app.inject({ method: 'GET', url: '/metrics' });
    t.equal(anonymous.statusCode, 401);
    t.match(anonymous.headers['content-type'], /^application\/problem\+json/);
    t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: await key('agency', 'tj-hrss-bureau') } })).statusCode, 403);
    t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: await key('supervisor') } })).statusCode, 403);
    t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: await key('admin') } })).statusCode, 200);
  });

  t.test('is the Prometheus text format with the process, database and ledger series', async (t) => {
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: auditor } });
    t.match(response.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    const text = response.body;
    t.match(text, /^# TYPE duban_http_request_duration_seconds histogram$/m);
    t.ok(sample(text, 'process_cpu_user_seconds_total')! >= 0, 'default process metrics');
    t.ok(sample(text, 'nodejs_heap_size_used_bytes')! > 0);
    t.equal(sample(text, 'duban_database_up'), 1);
    t.equal(sample(text, `duban_database_engine{engine="${engine}"}`), 1);
    const root = await getJson(app, '/v1/audit/root');
    t.equal(sample(text, 'duban_ledger_position'), root.body.position, 'the ledger head');
    t.equal(sample(text, 'duban_webhook_deliveries{status="pending"}'), 0);
    t.equal(sample(text, 'duban_webhook_deliveries{status="failed"}'), 0);
    if (engine === 'postgres') {
      const total = sample(text, 'duban_db_pool_connections{state="total"}')!;
      t.ok(total >= 1, 'the pool has opened a connection');
      t.ok(sample(text, 'duban_db_pool_connections{state="idle"}')! <= total);
      t.ok(sample(text, 'duban_db_pool_connections{state="max"}')! >= total);
      t.equal(sample(text, 'duban_db_pool_waiting_requests'), 0);
    } else {
      t.notMatch(text, /duban_db_pool_/, 'PGlite has no pool');
    }
  });

  t.test('a request moves its route\'s histogram, labelled by pattern, not URL', async (t) => {
    const series = 'duban_http_request_duration_seconds_count{method="GET",route="/v1/tasks/:id",status_code="200"}';
    const before = sample(await scrape(), series) ?? 0;
    t.equal((await getJson(app, '/v1/tasks/tj-2021-annex2-42')).status, 200);
    t.equal((await getJson(app, '/v1/tasks/no-such-task')).status, 404);
    const text = await scrape();
    t.equal(sample(text, series), before + 1);
    t.equal(sample(text, 'duban_http_request_duration_seconds_count{method="GET",route="/v1/tasks/:id",status_code="404"}'), 1);
    t.ok(sample(text, 'duban_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/tasks/:id",status_code="200"}')! >= 1);
    t.notMatch(text, /tj-2021-annex2-42|no-such-task/, 'no raw URL in any label');
    await app.inject({ method: 'GET', url: '/nowhere/at/all' });
    t.match(await scrape(), /route="\(unrouted\)",status_code="404"/, 'unrouted requests share one series');
  });

  t.test('report and export durations', async (t) => {
    t.equal((await getJson(app, '/v1/reports/summary')).status, 200);
    await app.inject({ method: 'GET', url: '/v1/reports/overdue', headers: { authorization: auditor, accept: 'text/csv' } });
    await app.inject({ method: 'GET', url: '/v1/exports/tasks', headers: { authorization: auditor } });
    const text = await scrape();
    t.equal(sample(text, 'duban_report_duration_seconds_count{report="summary",format="json"}'), 1);
    t.equal(sample(text, 'duban_report_duration_seconds_count{report="overdue",format="csv"}'), 1);
    t.equal(sample(text, 'duban_export_duration_seconds_count{export="tasks",format="ndjson"}'), 1);
  });

  t.test('the webhook backlog and the ledger follow writes', async (t) => {
    const admin = await key('admin');
    const created = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: admin }, payload: { url: 'https://portal.tj.gov.cn/hooks/duban' } });
    t.equal(created.statusCode, 201);
    const position = sample(await scrape(), 'duban_ledger_position')!;
    const report = await postReport(app, await key('agency', 'tj-hrss-bureau'), 'tj-2021-annex2-11', { note: '10月进展' });
    t.equal(report.status, 201);
    const text = await scrape();
    t.equal(sample(text, 'duban_ledger_position'), position + 1);
    t.equal(sample(text, 'duban_webhook_deliveries{status="pending"}'), 1, 'no dispatcher runs here, so the delivery waits');
  });

  t.test('a database that does not answer is a gauge, not a failed scrape', async (t) => {
    const position = sample(await scrape(), 'duban_ledger_position');
    await context.database.handle.close();
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: auditor } });
    // The key is cached in memory, so the scrape is served without the database.
    t.equal(response.statusCode, 200);
    t.equal(sample(response.body, 'duban_database_up'), 0);
    t.equal(sample(response.body, 'duban_ledger_position'), position, 'the last value read stays, marked old by duban_database_up');
  });
});
