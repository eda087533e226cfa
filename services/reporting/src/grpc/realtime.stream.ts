import { Observable } from 'rxjs';
import type { RealtimeSnapshot, WatchRealtimeResponse } from '@switchboard/contracts/src/generated/switchboard/reporting/v1/reporting_service';

/**
 * Polls the read model and sends a snapshot when its content changed (ignoring `asOf` and sub-second wait drift),
 * and at least every 5 s as a heartbeat. Polling the projection keeps the stream correct across replicas.
 */
export function watchSnapshots(read: () => Promise<RealtimeSnapshot>, intervalMs: number): Observable<WatchRealtimeResponse> {
  return new Observable<WatchRealtimeResponse>((subscriber) => {
    let last = '';
    let lastSentAt = 0;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const snapshot = await read();
        const fingerprint = JSON.stringify(snapshot.queues.map((q) => ({ ...q, longestWaitSeconds: Math.floor(q.longestWaitSeconds) })));
        if (fingerprint !== last || Date.now() - lastSentAt >= 5000) {
          last = fingerprint;
          lastSentAt = Date.now();
          subscriber.next({ snapshot });
        }
      } catch (e) {
        subscriber.error(e);
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), intervalMs);
    return () => clearInterval(timer);
  });
}
