/**
 * The floor's SQL: each read Duban serves, answered in one statement that returns the response
 * body already shaped (tasks with their assignments, indicators and related ids aggregated, the
 * derived flags and report counts computed), so the floor's process only relays it. The rules
 * restate src/domain (task-state.ts, report-math.ts) in SQL; the benchmark compares every floor
 * body with Duban's before it measures, so a rule restated wrong shows as a mismatch, not as speed.
 */

const STALE_AFTER_DAYS = 30;
const AMBER_WINDOW_DAYS = 14;

// $1 is the moment every clocked statement describes; the flag rules' inputs follow from it
// (Duban's defaults of STALE_AFTER_DAYS and AMBER_WINDOW_DAYS, which the benchmark leaves as they are).
const cutoff = `($1::timestamptz - make_interval(secs => ${STALE_AFTER_DAYS * 86_400}))`;
const today = `(($1::timestamptz at time zone 'UTC')::date)`;
const iso = (value: string) => `to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const open = (status: string) => `(${status} not in ('completed', 'verified'))`;
const overdue = (status: string, due: string) => `(${due} is not null and ${due} < ${today} and ${open(status)})`;
const stale = (status: string, quiet: string) => `(${open(status)} and ${quiet})`;
const health = (status: string, due: string) =>
  `(case when ${status} = 'verified' then 'none' when ${overdue(status, due)} then 'red' when ${status} = 'completed' then 'green'
    when ${status} = 'delayed' then 'amber' when ${due} is not null and ${due} <= ${today} + ${AMBER_WINDOW_DAYS} then 'amber' else 'green' end)`;
const quietLive = `coalesce(t.last_report_at, t.created_at) <= ${cutoff}`;

/** The Task resource of one row of tasks t. */
const taskJson = `json_build_object(
  'id', t.id, 'listId', t.list_id, 'parentId', t.parent_id, 'number', t.number, 'label', t.label, 'position', t.position,
  'title', t.title, 'text', t.text, 'articleId', t.article_id, 'responsibleText', t.responsible_text,
  'assignments', coalesce((
    select json_agg(json_build_object('agencyId', a.agency_id, 'agencyName', g.name, 'role', a.role, 'position', a.position, 'progress', a.share_progress,
      'acknowledgedAt', ${iso('r.acknowledged_at')}) order by a.position)
    from task_assignments a join agencies g on g.id = a.agency_id
    left join assignment_receipts r on r.task_id = a.task_id and r.agency_id = a.agency_id where a.task_id = t.id), '[]'),
  'status', t.status, 'progress', t.progress, 'dueDate', t.due_date, 'originalDueDate', t.original_due_date,
  'pendingExtension', (
    select json_build_object('requestId', e.id, 'requestedDueDate', e.requested_due_date, 'requestedAt', ${iso('e.requested_at')}, 'late', e.late)
    from extension_requests e where e.task_id = t.id and e.status = 'pending'),
  'window', case when t.window_from is null then null else json_build_object('start', t.window_start, 'end', t.window_end, 'inheritedFrom', nullif(t.window_from, t.id)) end,
  'weight', t.weight, 'childCount', t.child_count,
  'indicators', coalesce((
    select json_agg(json_build_object(
      'key', i.key, 'name', i.name, 'unit', i.unit, 'direction', i.direction, 'target', i.target, 'min', i.min, 'max', i.max,
      'baseline', i.baseline, 'due', i.due,
      'latest', case when i.latest_value is null or i.latest_at is null or i.latest_event_id is null then null
                else json_build_object('value', i.latest_value, 'at', ${iso('i.latest_at')}, 'eventId', i.latest_event_id) end,
      'met', case when i.latest_value is null then null when i.direction = 'at_least' then i.latest_value >= i.target
             when i.direction = 'at_most' then i.latest_value <= i.target else i.latest_value between i.min and i.max end
    ) order by i.position)
    from task_indicators i where i.task_id = t.id), '[]'),
  'overdue', ${overdue('t.status', 't.due_date')},
  'stale', ${stale('t.status', quietLive)},
  'health', ${health('t.status', 't.due_date')},
  'version', t.version, 'lastEventId', t.last_event_id,
  'relatedTaskIds', coalesce((select json_agg(l.related_task_id order by l.related_task_id) from task_links l where l.task_id = t.id), '[]'),
  'lastReportAt', ${iso('t.last_report_at')}, 'createdAt', ${iso('t.created_at')}, 'updatedAt', ${iso('t.updated_at')}
)`;

/** $1 now, $2 status, $3 agency (itself, or a group it belongs to), $4 rows to fetch; in list order. */
export const listTasks = `
  select ${taskJson} as task, t.list_id, t.position from tasks t
  where t.status = $2::task_status
    and exists (
      select 1 from task_assignments a
      where a.task_id = t.id and (a.agency_id = $3 or a.agency_id in (select group_id from agency_members where member_id = $3)))
  order by t.list_id, t.position limit $4`;

/** $1 now, $2 id. */
export const getTask = `select ${taskJson} as task from tasks t where t.id = $2`;

/** For If-None-Match: the version alone. */
export const taskVersion = `select version from tasks where id = $1`;

/** $1 now, $2 and $3 the list order key after which the batch starts ('' and 0 for the first), $4 batch size. */
export const exportBatch = `
  select ${taskJson} as task, t.list_id, t.position from tasks t
  where (t.list_id, t.position) > ($2::text, $3::int)
  order by t.list_id, t.position limit $4`;

/**
 * The work items (tasks without children) as they stood at $1: the task rows when live, else
 * each task's state as its last event at or before $1 recorded (tasks created later drop out).
 * Columns: id, status, due_date, quiet (last sign of life at or before the stale cutoff).
 */
function workItemsAt(live: boolean): string {
  if (live) {
    return `select t.id, t.status::text as status, t.due_date, t.original_due_date, ${quietLive} as quiet from tasks t where t.child_count = 0`;
  }
  return `select t.id, s.state->>'status' as status, (s.state->>'dueDate')::date as due_date, (s.state->>'originalDueDate')::date as original_due_date,
      coalesce((s.state->>'lastReportAt')::timestamptz, t.created_at) <= ${cutoff} as quiet
    from tasks t cross join lateral (
      select e.state from task_events e where e.task_id = t.id and e.at <= $1::timestamptz order by e.at desc, e.seq desc limit 1) s
    where t.child_count = 0`;
}

const count = (condition: string) => `coalesce(sum(n) filter (where ${condition}), 0)`;
const rate = (part: string) => `(case when coalesce(sum(n), 0) = 0 then 0 else floor(${part}::float8 / sum(n) * 10000 + 0.5) / 10000 end)`;

/** The Summary's fields over groups of alike tasks (columns status, due_date, quiet, n), as json_build_object arguments. */
const countsFields = `
  'total', coalesce(sum(n), 0),
  'byStatus', json_build_object(${['not_started', 'in_progress', 'delayed', 'completed', 'verified'].map((s) => `'${s}', ${count(`status = '${s}'`)}`).join(', ')}),
  'completionRate', ${rate(count(`status in ('completed', 'verified')`))},
  'verifiedRate', ${rate(count(`status = 'verified'`))},
  'overdue', ${count(overdue('status', 'due_date'))},
  'stale', ${count(stale('status', 'quiet'))},
  'byHealth', json_build_object(${['red', 'amber', 'green', 'none'].map((h) => `'${h}', ${count(`${health('status', 'due_date')} = '${h}'`)}`).join(', ')})`;

function groupsAt(live: boolean): string {
  return `select status, due_date, quiet, count(*)::int as n from (${workItemsAt(live)}) w group by 1, 2, 3`;
}

/**
 * The facts Duban's summary ETag names (src/modules/common/read-tag.ts) for a live report: the
 * ledger position, task links, agency names and kinds, document digests, and the stale count.
 */
export const summaryTagFacts = `
  select row_to_json(f) as facts from (select position,
    (select count(*) from task_links)::int as links,
    (select md5(string_agg(id || ':' || name || ':' || kind, ',' order by id)) from agencies) as agencies,
    (select md5(string_agg(id || ':' || coalesce(import_hash, ''), ',' order by id)) from documents) as documents,
    (select count(*) filter (where ${stale('t.status::text', quietLive)}) from tasks t where t.child_count = 0)::int as stale
  from ledger_state) f`;

/** The summary's extension and receipt counts at $1 over the work items as they stood then. */
function routineFields(live: boolean): string {
  return `'extensions', (select json_build_object(
      'extendedTasks', count(*) filter (where original_due_date is not null),
      'daysAdded', coalesce(sum(due_date - original_due_date), 0),
      'pendingRequests', (select count(*) from extension_requests e join tasks t on t.id = e.task_id
        where t.child_count = 0 and e.requested_at <= $1::timestamptz and (e.decided_at is null or e.decided_at > $1::timestamptz)))
    from (${workItemsAt(live)}) w),
    'receipts', (select json_build_object('assignments', count(*), 'acknowledged', count(r.acknowledged_at), 'pending', count(*) - count(r.acknowledged_at))
      from task_assignments a join tasks t on t.id = a.task_id
      left join assignment_receipts r on r.task_id = a.task_id and r.agency_id = a.agency_id and r.acknowledged_at <= $1::timestamptz
      where t.child_count = 0 and t.created_at <= $1::timestamptz)`;
}

/** The summary as of a past moment. */
export const summaryAsOf = `with groups as (${groupsAt(false)})
  select json_build_object('asOf', ${iso('$1::timestamptz')}, ${countsFields}, ${routineFields(false)}) as body from groups`;

/** The live summary with the facts of its ETag, which Duban always sends, in the same statement. */
export const summaryLive = `with groups as (${groupsAt(true)})
  select (${summaryTagFacts}) as facts, json_build_object('asOf', ${iso('$1::timestamptz')}, ${countsFields}, ${routineFields(true)}) as body from groups`;

/** Per agency acting for itself or a group: tasks led and co-owned (lead wins), their counts, its last report. */
export function agencies(live: boolean): string {
  return `with acting as (
      select id as agency_id, id as via from agencies union all select member_id, group_id from agency_members),
    roles as (
      select acting.agency_id, a.task_id, min(a.role)::text as role from task_assignments a join acting on acting.via = a.agency_id group by 1, 2),
    groups as (
      select r.agency_id, r.role, w.status, w.due_date, w.quiet, count(*)::int as n
      from roles r join (${workItemsAt(live)}) w on w.id = r.task_id group by 1, 2, 3, 4, 5),
    per_agency as (
      select agency_id, ${count(`role = 'lead'`)} as led, ${count(`role = 'co'`)} as co_owned, json_build_object(${countsFields}) as counts from groups group by agency_id)
    select json_build_object('asOf', ${iso('$1::timestamptz')}, 'items', coalesce(json_agg(json_build_object(
        'agencyId', g.id, 'name', g.name, 'kind', g.kind, 'led', p.led, 'coOwned', p.co_owned, 'counts', p.counts,
        'lastReportAt', ${iso('r.at')},
        'daysSinceLastReport', floor(extract(epoch from ($1::timestamptz - r.at)) / 86400)
      ) order by g.id), '[]')) as body
    from per_agency p join agencies g on g.id = p.agency_id
    cross join lateral (
      select max(e.at) as at from task_events e where e.type = 'progress_reported' and e.actor_agency_id = g.id and e.at <= $1::timestamptz) r`;
}

/**
 * Counts by status at the end of each period: every work item's status moves (lag over its
 * events up to $1, the last period's end), bucketed by period ($2: the starts of periods 2…n),
 * summed period by period over $3 periods; $4 and $5 are the periods' starts and ends as shown.
 */
export const timeline = `
  with statuses as (
    select e.at, e.state->>'status' as to_status,
      lag(e.state->>'status') over (partition by e.task_id order by e.at, e.seq) as from_status
    from task_events e where e.at <= $1::timestamptz and e.task_id in (select id from tasks where child_count = 0)),
  moves as (
    select width_bucket(at, $2::timestamptz[]) as period, from_status, to_status, count(*)::int as n
    from statuses where from_status is distinct from to_status group by 1, 2, 3),
  deltas as (
    select period, to_status as status, n from moves union all select period, from_status, -n from moves where from_status is not null),
  tally as (
    select p.period, s.status, (select coalesce(sum(d.n), 0) from deltas d where d.status = s.status and d.period <= p.period)::int as n
    from generate_series(0, $3::int - 1) as p(period)
    cross join unnest(array['not_started', 'in_progress', 'delayed', 'completed', 'verified']) as s(status)),
  points as (
    select period, json_build_object('periodStart', ($4::text[])[period + 1], 'asOf', ($5::text[])[period + 1], 'total', sum(n), 'byStatus', json_object_agg(status, n)) as point
    from tally group by period)
  select json_build_object('interval', 'month', 'points', json_agg(point order by period)) as body from points`;
