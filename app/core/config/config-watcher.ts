import { watch, type FSWatcher } from 'node:fs';
import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { loadConfig, type Config } from './config.js';

/**
 * Follows config.json in the data dir: a change (debounced by 100 ms) is loaded and handed to
 * `apply`; a broken file is reported and the running config kept.
 */
export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly file: string,
    private readonly path: string,
    private readonly apply: (config: Config) => void,
    private readonly log: Logger,
    /** Runs the reload in the config writer's queue (ConfigStore.exclusive). */
    private readonly serialize: <T>(task: () => Promise<T>) => Promise<T> = (task) => task(),
  ) {}

  start(): void {
    try {
      this.watcher = watch(this.dataDir, (_event, file) => {
        if (file !== this.file) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload(), 100);
      });
      this.watcher.on('error', () => undefined);
    } catch (error) {
      this.log.warn('config.json will not be reloaded automatically', { error: describeError(error) });
    }
  }

  /** Loads config.json now and applies it, unless it is broken. */
  async reload(): Promise<void> {
    // In the writer's queue: a reload that read the file before an edit replaced it would
    // otherwise apply the old settings after the edit's (a lifted pause coming back).
    await this.serialize(async () => {
      let config: Config;
      try {
        config = (await loadConfig(this.path)).config;
      } catch (error) {
        this.log.error(`${describeError(error)} The hub keeps its previous settings.`);
        return;
      }
      this.apply(config);
      this.log.info('config reloaded');
    });
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
  }
}
