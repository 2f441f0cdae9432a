import type { Activity } from '../../shared/admin-types.js';

/** How many finished calls the activity list keeps. */
const ACTIVITY_KEPT = 500;

/**
 * What the panel follows: the recent activity, and one "something changed" signal that every
 * part of the hub raises (providers, the queue, config, sessions) and the admin API's event
 * stream listens to.
 */
export class HubFeed {
  readonly activity: Activity[] = [];
  private readonly listeners = new Set<() => void>();

  record(activity: Activity): void {
    this.activity.push(activity);
    if (this.activity.length > ACTIVITY_KEPT) this.activity.splice(0, this.activity.length - ACTIVITY_KEPT);
    this.changed();
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
