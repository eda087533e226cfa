/** The configured daily sign-in monitoring slots (RP-03: three charts a day), as `HH:MM` in the site's zone. */
export interface SlotPlan {
  readonly slots: readonly string[];
  /** A slot is taken only within this many minutes after its time; later it stays missing rather than taken late. */
  readonly graceMinutes: number;
}

export type SlotStatus = 'taken' | 'due' | 'pending' | 'missed';

const SLOT = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function slotMinutes(slot: string): number {
  const m = SLOT.exec(slot);
  if (!m) throw new Error(`a sign-in snapshot time must be HH:MM, got '${slot}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Validates a plan once at start-up: well-formed, distinct, in order. */
export function checkPlan(plan: SlotPlan): SlotPlan {
  const minutes = plan.slots.map(slotMinutes);
  if (minutes.some((m, i) => i > 0 && m <= minutes[i - 1])) throw new Error(`sign-in snapshot times must be distinct and ascending: ${plan.slots.join(',')}`);
  return plan;
}

/** Status of one slot at a local minute of the day, given whether a snapshot for it exists already. */
export function slotStatus(slot: string, minuteOfDay: number, taken: boolean, graceMinutes: number): SlotStatus {
  if (taken) return 'taken';
  const at = slotMinutes(slot);
  if (minuteOfDay < at) return 'pending';
  return minuteOfDay < at + graceMinutes ? 'due' : 'missed';
}

/** Slots to take now. */
export function dueSlots(plan: SlotPlan, minuteOfDay: number, taken: ReadonlySet<string>): string[] {
  return plan.slots.filter((s) => slotStatus(s, minuteOfDay, taken.has(s), plan.graceMinutes) === 'due');
}
