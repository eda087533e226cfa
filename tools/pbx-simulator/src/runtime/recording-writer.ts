import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordingTruth } from '../domain/ground-truth';
import { flushedLate, recordingSpec, wavBytes } from '../domain/recordings';
import type { SimFact } from '../domain/sim-facts';

/** How long (wall clock) a late-flushed recording stays with unpatched sizes after its stop event went out. */
export const LATE_FLUSH_MS = 300;

/**
 * Writes each answered contact's recording into the directory when its conversation ends, before the stop event is
 * sent; a late-flushed one first without its final sizes, then completed LATE_FLUSH_MS later. Keeps the ground truth
 * (file as the PBX names it, hash of the final bytes, length) per contact.
 */
export class RecordingWriter {
  private readonly answered = new Map<string, { queue: string; atMs: number }>();
  private readonly truths = new Map<string, RecordingTruth>();
  private readonly flushing = new Set<Promise<void>>();

  constructor(private readonly directory: string, private readonly reportedDirectory: string) {
    mkdirSync(directory, { recursive: true });
  }

  observe(fact: SimFact): void {
    if (fact.type === 'CallAnswered') this.answered.set(fact.contactId, { queue: fact.queue, atMs: fact.at });
    if (fact.type !== 'CallCompleted' && fact.type !== 'CallTransferred') return;
    const answer = this.answered.get(fact.contactId);
    if (answer === undefined) return;
    this.answered.delete(fact.contactId);
    const spec = recordingSpec(answer.queue, fact.contactId, answer.atMs, fact.at);
    const bytes = wavBytes(spec, fact.contactId);
    const path = join(this.directory, spec.fileName);
    const late = flushedLate(fact.contactId);
    writeFileSync(path, late ? wavBytes(spec, fact.contactId, false) : bytes);
    if (late) {
      const done = new Promise<void>((resolve) => setTimeout(() => { writeFileSync(path, bytes); resolve(); }, LATE_FLUSH_MS));
      this.flushing.add(done);
      void done.then(() => this.flushing.delete(done));
    }
    this.truths.set(fact.contactId, {
      file: `${this.reportedDirectory}/${spec.fileName}`, sha256: createHash('sha256').update(bytes).digest('hex'), durationSeconds: spec.durationSeconds, flushedLate: late,
    });
  }

  truthOf(contactId: string): RecordingTruth | null {
    return this.truths.get(contactId) ?? null;
  }

  async flushed(): Promise<void> {
    await Promise.all([...this.flushing]);
  }
}
