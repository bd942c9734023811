import type { Subscriber } from '../../db/client.js';
import type { KeyRole } from '../../db/schema/index.js';

/** The database channel migration 0008 announces every changed key on (its id; '' for all). */
export const API_KEY_CHANNEL = 'duban_api_key_changed';

export interface StoredKey {
  role: KeyRole;
  agencyId: string | null;
  secretHash: string;
}

/**
 * The keys this process has found valid, so that a request costs no key lookup in the database.
 * It only keeps keys while it hears of every change (live); a key changed while a lookup was under
 * way is not kept from that lookup, since the row it read may be the one before the change.
 */
export class KeyCache implements Subscriber {
  readonly #entries = new Map<string, StoredKey>();
  readonly #capacity: number;
  #live = false;
  // Moves with every change heard of and every loss of hearing; a lookup keeps its row only if it did not move meanwhile.
  #generation = 0;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  async lookup(id: string, load: () => Promise<StoredKey | null>): Promise<StoredKey | null> {
    const kept = this.#live ? this.#entries.get(id) : undefined;
    if (kept) return kept;
    const generation = this.#generation;
    const stored = await load();
    if (stored && this.#live && generation === this.#generation) {
      if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(id, stored);
    }
    return stored;
  }

  /** A key changed: forget it ('' forgets every key). */
  onMessage(id: string): void {
    this.#generation++;
    if (id === '') this.#entries.clear();
    else this.#entries.delete(id);
  }

  onLive(): void {
    this.#reset();
    this.#live = true;
  }

  onLost(): void {
    this.#reset();
    this.#live = false;
  }

  #reset() {
    this.#generation++;
    this.#entries.clear();
  }
}
