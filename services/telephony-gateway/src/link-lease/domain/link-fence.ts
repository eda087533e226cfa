/**
 * The fencing token of one PBX link's lease (ADR 0018): the epoch this replica set in `gw_link_lease` when it took
 * the lease. Every write of the link's state checks it in the same statement, so a replica that lost the lease
 * cannot overwrite what the next holder has already read.
 */
export interface LinkFence {
  readonly pbxLinkId: string;
  /** gw_link_lease.epoch as Postgres returns a bigint: a decimal string. */
  readonly epoch: string;
  /** A write found another epoch: another replica holds the link; the link is stopped as on a lost lease. */
  fenced(reason: string): void;
}
