import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { AuditLog, type AuditEntry } from './audit-log.js';

/**
 * The hub's audit trail as the calls see it: open while `audit.enabled`, reopened when that
 * setting changes, and a write that fails is logged, never thrown at a call.
 */
export class AuditSink {
  private log: AuditLog | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
  ) {}

  /** Opens or closes the log for these settings (no-op when `enabled` did not change). */
  apply(settings: { enabled: boolean; max_file_bytes: number }): void {
    if (settings.enabled === (this.log !== undefined)) return;
    this.close();
    if (!settings.enabled) return;
    this.log = new AuditLog(this.dataDir, settings.max_file_bytes, this.logger);
    this.log.open();
  }

  get enabled(): boolean {
    return this.log !== undefined;
  }

  write(entry: AuditEntry): void {
    try {
      this.log?.append(entry);
    } catch (error) {
      this.logger.error('audit.jsonl could not be written', { error: describeError(error) });
    }
  }

  close(): void {
    this.log?.close();
    this.log = undefined;
  }
}
