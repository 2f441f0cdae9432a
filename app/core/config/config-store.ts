import { writeFileAtomic } from '../base/atomic-file.js';
import { withFileLock, type LockOptions } from '../base/file-lock.js';
import { loadConfig, parseConfig, type Config } from './config.js';

/**
 * The one writer of config.json inside the hub (rules from "always allow", the pause switch,
 * revocations from the panel), and the CLI's when no hub runs. Each change re-reads the file,
 * applies the edit to the user's own JSON (keeping keys Inlet does not know), validates, writes
 * atomically and applies at once; the file watcher's reload then finds nothing new. Changes
 * hold `config.json.lock` from the read to the write, so two programs (two `inlet policy`
 * commands with no hub running) take turns instead of one losing the other's edit.
 */
export class ConfigStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly apply: (config: Config) => void,
    /** `onWait`: another program holds the lock (the CLI says it is waiting). */
    private readonly lock: LockOptions = {},
  ) {}

  update(edit: (raw: Record<string, unknown>, current: Config) => Record<string, unknown>): Promise<Config> {
    const run = async () => {
      const loaded = await loadConfig(this.path);
      const raw = edit(structuredClone(loaded.raw), loaded.config);
      const text = JSON.stringify(raw, null, 2) + '\n';
      const { config } = parseConfig(text, this.path);
      await writeFileAtomic(this.path, text, 0o600);
      this.apply(config);
      return config;
    };
    return this.exclusive(() => withFileLock(`${this.path}.lock`, run, this.lock));
  }

  /**
   * Runs `task` in the writer's queue. Edits are serialized so two clicks never write over each
   * other, and the file watcher's reload runs here too: a reload that read the file before an
   * edit replaced it would otherwise apply the old settings after the edit's (a lifted pause
   * coming back).
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Edits the `approvals` section. */
  updateApprovals(edit: (approvals: Record<string, unknown>) => Record<string, unknown>): Promise<Config> {
    return this.update((raw) => ({ ...raw, approvals: edit({ ...((raw.approvals as Record<string, unknown>) ?? {}) }) }));
  }
}
