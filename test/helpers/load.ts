/**
 * Load from outside the process, over real sockets: progress reports written by `writers`
 * concurrent loops, each outcome recorded, so a fault test can check afterwards that every
 * acknowledged write is in the ledger and no refused one is.
 */
export interface WriteOutcome {
  taskId: string;
  note: string;
  status: number | 'no answer';
  eventId: number | null;
  retryAfter: string | null;
  contentType: string | null;
}

export interface Load {
  outcomes: WriteOutcome[];
  /** Stops the loops and resolves when the requests in flight are answered. */
  stop(): Promise<WriteOutcome[]>;
}

export function startWriteLoad(baseUrl: string, authorization: string, taskIds: readonly string[], { writers = 4, label = 'load' } = {}): Load {
  const outcomes: WriteOutcome[] = [];
  let running = true;
  let counter = 0;
  const loop = async (writer: number) => {
    while (running) {
      const taskId = taskIds[counter % taskIds.length]!;
      const note = `${label} ${writer}-${counter++}`;
      try {
        const response = await fetch(`${baseUrl}/v1/tasks/${taskId}/reports`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', 'idempotency-key': note.replaceAll(' ', '_') },
          body: JSON.stringify({ note }),
          signal: AbortSignal.timeout(20_000),
        });
        const body = (await response.json().catch(() => null)) as { event?: { id: number } } | null;
        outcomes.push({
          taskId,
          note,
          status: response.status,
          eventId: body?.event?.id ?? null,
          retryAfter: response.headers.get('retry-after'),
          contentType: response.headers.get('content-type'),
        });
        // Back off while refused, as a client honouring Retry-After would (shortened to keep the test quick).
        if (response.status === 503) await new Promise((resolve) => setTimeout(resolve, 50));
      } catch {
        outcomes.push({ taskId, note, status: 'no answer', eventId: null, retryAfter: null, contentType: null });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const loops = Array.from({ length: writers }, (_, writer) => loop(writer));
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

/** Every event of a task, through the API, following the cursor. */
export async function eventsOf(baseUrl: string, authorization: string, taskId: string): Promise<{ id: number; note: string | null }[]> {
  const events: { id: number; note: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=200&cursor=${cursor}` : '?limit=200';
    const response = await fetch(`${baseUrl}/v1/tasks/${taskId}/events${query}`, { headers: { authorization } });
    if (response.status !== 200) throw new Error(`events of ${taskId} answered ${response.status}`);
    const page = (await response.json()) as { items: { id: number; note: string | null }[]; nextCursor: string | null };
    events.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}

/** The notes an acknowledged write carried that the ledger does not hold, and the refused ones it does. */
export async function checkAgainstLedger(baseUrl: string, authorization: string, outcomes: readonly WriteOutcome[]) {
  const taskIds = [...new Set(outcomes.map((o) => o.taskId))];
  const recorded = new Map<string, number>();
  for (const taskId of taskIds) for (const event of await eventsOf(baseUrl, authorization, taskId)) if (event.note) recorded.set(event.note, event.id);
  const acknowledged = outcomes.filter((o) => o.status === 201);
  return {
    acknowledged: acknowledged.length,
    missing: acknowledged.filter((o) => recorded.get(o.note) !== o.eventId).map((o) => o.note),
    refusedButRecorded: outcomes.filter((o) => typeof o.status === 'number' && o.status >= 400 && recorded.has(o.note)).map((o) => o.note),
  };
}
