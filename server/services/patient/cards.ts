import { IsNull } from 'typeorm';
import type { PatientView } from '../../../shared/api';
import { InsuranceAuthorizationRow, PatientRow } from '../../db/entities';
import { AppError } from '../errors';
import { authorizationView } from './insuranceViews';
import type { Deps } from '../deps';

/** The caller's own patient card, or 404 — another user's card is indistinguishable from none. */
export async function ownPatient(deps: Deps, openid: string, patientId: string): Promise<PatientRow> {
  const row = await deps.db
    .getRepository(PatientRow)
    .findOneBy({ id: patientId, openid, unboundAt: IsNull() });
  if (!row) throw new AppError('PATIENT_NOT_FOUND', '没有找到这张就诊卡，请刷新后重试。');
  return row;
}

export async function listPatients(deps: Deps, openid: string): Promise<PatientView[]> {
  const rows = await deps.db
    .getRepository(PatientRow)
    .find({ where: { openid, unboundAt: IsNull() }, order: { createdAt: 'ASC' } });
  return Promise.all(rows.map((r) => patientView(deps, r)));
}

export async function getPatient(deps: Deps, openid: string, patientId: string): Promise<PatientView> {
  return patientView(deps, await ownPatient(deps, openid, patientId));
}

async function patientView(deps: Deps, row: PatientRow): Promise<PatientView> {
  const auth = await deps.db
    .getRepository(InsuranceAuthorizationRow)
    .findOne({ where: { patientId: row.id }, order: { createdAt: 'DESC' } });
  return {
    id: row.id,
    name: row.nameMasked,
    idNoMasked: row.idNoMasked,
    phoneMasked: row.phoneMasked ?? undefined,
    hisPatientId: row.hisPatientId,
    insurance: auth ? authorizationView(auth) : undefined,
    createdAt: row.createdAt.toISOString(),
  };
}
