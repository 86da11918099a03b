import type { BindPatientRequest, PatientView } from '../../shared/api';
import { InsuranceAuthorizationRow, PatientRow } from '../db/entities';
import { newId } from '../db/orders';
import { maskIdNo, maskName, maskPhone } from '../security/pii';
import { AppError } from './errors';
import { upstreamError } from './gatewayErrors';
import { authorizationView } from './insuranceAuthorizations';
import type { Deps } from './deps';

export async function bindPatient(deps: Deps, openid: string, req: BindPatientRequest): Promise<PatientView> {
  const idNoHash = deps.pii.lookupHash(req.idNo);
  const existing = await deps.db.getRepository(PatientRow).findOneBy({ openid, idNoHash });
  if (existing) return patientView(deps, existing);
  let hisPatient;
  try {
    hisPatient = await deps.his.findPatient(req.name, req.idNo);
  } catch (err) {
    throw upstreamError(err, 'patient lookup');
  }
  if (!hisPatient)
    throw new AppError('PATIENT_NOT_FOUND', 'the hospital has no patient with this name and ID number');
  const row: PatientRow = Object.assign(new PatientRow(), {
    id: newId(),
    openid,
    hisPatientId: hisPatient.hisPatientId,
    nameEnc: deps.pii.encrypt(req.name),
    nameMasked: maskName(req.name),
    idNoEnc: deps.pii.encrypt(req.idNo),
    idNoHash,
    idNoMasked: maskIdNo(req.idNo),
    phoneEnc: req.phone ? deps.pii.encrypt(req.phone) : null,
    phoneMasked: req.phone ? maskPhone(req.phone) : null,
    createdAt: new Date(deps.clock.now()),
  });
  await deps.db.query(
    `INSERT INTO patients (id, openid, his_patient_id, name_enc, name_masked, id_no_enc, id_no_hash, id_no_masked, phone_enc, phone_masked, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (openid, id_no_hash) DO NOTHING`,
    [
      row.id,
      openid,
      row.hisPatientId,
      row.nameEnc,
      row.nameMasked,
      row.idNoEnc,
      idNoHash,
      row.idNoMasked,
      row.phoneEnc,
      row.phoneMasked,
      row.createdAt,
    ],
  );
  // a concurrent bind of the same card wins the race; both callers see the same card
  const stored = await deps.db.getRepository(PatientRow).findOneByOrFail({ openid, idNoHash });
  return patientView(deps, stored);
}

/** The caller's own patient card, or 404 — another user's card is indistinguishable from none. */
export async function ownPatient(deps: Deps, openid: string, patientId: string): Promise<PatientRow> {
  const row = await deps.db.getRepository(PatientRow).findOneBy({ id: patientId, openid });
  if (!row) throw new AppError('PATIENT_NOT_FOUND', 'no such patient card');
  return row;
}

export async function listPatients(deps: Deps, openid: string): Promise<PatientView[]> {
  const rows = await deps.db
    .getRepository(PatientRow)
    .find({ where: { openid }, order: { createdAt: 'ASC' } });
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
