import type { PatientView } from '../../../shared/api';

/** The remembered current card if it is still bound, else the first one. */
export function currentOf(
  patients: readonly PatientView[],
  rememberedId: string | undefined,
): PatientView | undefined {
  return patients.find((p) => p.id === rememberedId) ?? patients[0];
}
