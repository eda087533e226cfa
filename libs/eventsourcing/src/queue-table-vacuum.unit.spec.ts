import { tablesToVacuum } from './queue-table-vacuum';

describe('tablesToVacuum', () => {
  const stats = [
    { table: 'es_outbox', deadTuples: 12_000, autovacuumEnabled: true },
    { table: 'es_outbox_checkpoints', deadTuples: 4_999, autovacuumEnabled: true },
    { table: 'gw_subject_state', deadTuples: 6_000, autovacuumEnabled: false },
  ];

  it('should leave every table to autovacuum where it runs, except one that turns it off for itself', () => {
    expect(tablesToVacuum(true, stats, 5000)).toEqual(['gw_subject_state']);
  });

  it('should vacuum every table with enough dead rows when autovacuum is off for the server', () => {
    expect(tablesToVacuum(false, stats, 5000)).toEqual(['es_outbox', 'gw_subject_state']);
    expect(tablesToVacuum(false, stats, 4999)).toEqual(['es_outbox', 'es_outbox_checkpoints', 'gw_subject_state']);
  });
});
