import { RoutingEngine } from '../../matching/domain/routing-engine';
import type { RoutingInput } from '../../matching/domain/routing-inputs';
import { configurationDrift } from './reconcile-configuration';

describe('RT-06 When a restart finds the teams\' own team-leader ratios in the event store', () => {
  const teamRatio = (teamId: string, ratio: number | null): RoutingInput => ({ type: 'TeamLeaderTeamShareSet', teamId, ratio, at: 0 });

  it('should apply only the ratios and clears the engine does not reflect yet', () => {
    const engine = new RoutingEngine();
    [teamRatio('t1', 0.5), teamRatio('t2', 0.2)].forEach((i) => engine.handle(i));
    const config = [teamRatio('t1', 0.5), teamRatio('t2', null), teamRatio('t3', 0.4), teamRatio('t4', null)];
    const drift = configurationDrift(engine, config, 1_000);
    expect(drift).toEqual([teamRatio('t2', null), teamRatio('t3', 0.4)]);
    drift.forEach((i) => engine.handle(i));
    expect([...engine.book.teamLeaderRatios]).toEqual([['t1', 0.5], ['t3', 0.4]]);
    expect(configurationDrift(engine, config, 2_000)).toEqual([]);
  });
});
