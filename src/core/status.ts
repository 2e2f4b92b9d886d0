// Dossier status codes as the provincial one-stop software and the national portal sync them.
export const DossierStatus = {
  NEW: 1,
  RECEIVED: 2,
  REFUSED: 3,
  PROCESSING: 4,
  SUPPLEMENT_REQUESTED: 5,
  FEE_DUE: 6,
  WITHDRAWN: 7,
  SUSPENDED: 8,
  RESULT_READY: 9,
  RETURNED: 10,
} as const;
export type DossierStatusCode = (typeof DossierStatus)[keyof typeof DossierStatus];

export const STATUS_KEYS: Record<number, string> = {
  1: "new",
  2: "received",
  3: "refused",
  4: "processing",
  5: "supplement_requested",
  6: "fee_due",
  7: "withdrawn",
  8: "suspended",
  9: "result_ready",
  10: "returned",
};

/** Statuses after which the agency's clock has stopped. */
export const FINISHED_STATUSES: ReadonlySet<number> = new Set([3, 7, 8, 9, 10]);

export function isFinished(status: number): boolean {
  return FINISHED_STATUSES.has(status);
}
