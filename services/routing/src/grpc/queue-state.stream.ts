import { Observable } from 'rxjs';
import type { WatchQueueStateResponse } from '@switchboard/contracts/src/generated/switchboard/routing/v1/routing_service';
import type { LiveRouter } from '../matching/application/live-router';
import { queueStateToProto } from './routing-grpc.mappers';

const HEARTBEAT_MS = 5_000;
const COALESCE_MS = 200;

/**
 * Every visible queue's state at once, then again whenever it changes (changes coalesced over 200 ms so a busy
 * floor does not flood the wallboard), and at least every 5 s.
 */
export function watchQueueStates(router: LiveRouter, queueIds: () => string[]): Observable<WatchQueueStateResponse> {
  return new Observable<WatchQueueStateResponse>((subscriber) => {
    const last = new Map<string, string>();
    const emit = (force: boolean) => {
      for (const queueId of queueIds()) {
        const state = router.queueState(queueId);
        const fingerprint = JSON.stringify({ ...state, asOf: 0, longestWaitSeconds: Math.floor(state.longestWaitSeconds) });
        if (!force && last.get(queueId) === fingerprint) continue;
        last.set(queueId, fingerprint);
        subscriber.next({ state: queueStateToProto(state) });
      }
    };
    let pending: NodeJS.Timeout | undefined;
    const unsubscribe = router.onChange(() => {
      pending ??= setTimeout(() => {
        pending = undefined;
        emit(false);
      }, COALESCE_MS);
    });
    const heartbeat = setInterval(() => emit(true), HEARTBEAT_MS);
    emit(true);
    return () => {
      unsubscribe();
      clearInterval(heartbeat);
      if (pending !== undefined) clearTimeout(pending);
    };
  });
}
