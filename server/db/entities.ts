/** TypeORM entities: the shape of rows as services read them. State changes go through explicit UPDATEs. */
import 'reflect-metadata';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { fenTransformer } from './columns';
import type { OrderStatus } from '../domain/orderStateMachine';
import type { FeeLine } from '../gateways/ports';
import type { OrderOutcome } from '../../shared/api';

@Entity('patients')
export class PatientRow {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) openid!: string;
  @Column({ type: 'text', name: 'his_patient_id' }) hisPatientId!: string;
  @Column({ type: 'text', name: 'name_enc' }) nameEnc!: string;
  @Column({ type: 'text', name: 'name_masked' }) nameMasked!: string;
  @Column({ type: 'text', name: 'id_no_enc' }) idNoEnc!: string;
  @Column({ type: 'text', name: 'id_no_hash' }) idNoHash!: string;
  @Column({ type: 'text', name: 'id_no_masked' }) idNoMasked!: string;
  @Column({ type: 'text', name: 'phone_enc', nullable: true }) phoneEnc!: string | null;
  @Column({ type: 'text', name: 'phone_masked', nullable: true }) phoneMasked!: string | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  /** the patient unbound the card: kept for the hospital, gone from the patient's lists */
  @Column({ type: 'timestamptz', name: 'unbound_at', nullable: true }) unboundAt!: Date | null;
}

@Entity('insurance_authorizations')
export class InsuranceAuthorizationRow {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'uuid', name: 'patient_id' }) patientId!: string;
  @Column({ type: 'boolean' }) eligible!: boolean;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text', name: 'pay_auth_no_enc' }) payAuthNoEnc!: string;
  @Column({ type: 'text', name: 'psn_no', nullable: true }) psnNo!: string | null;
  @Column({ type: 'text', nullable: true }) insutype!: string | null;
  @Column({ type: 'text', name: 'insured_status', nullable: true }) insuredStatus!: string | null;
  @Column({ type: 'bigint', name: 'balance_fen', nullable: true, transformer: fenTransformer }) balanceFen!:
    number | null;
  /** when balanceFen was true: the 1101 of the authorization, later a settlement or refund that moved it */
  @Column({ type: 'timestamptz', name: 'balance_as_of', nullable: true }) balanceAsOf!: Date | null;
  @Column({ type: 'text', name: 'city_id' }) cityId!: string;
  @Column({ type: 'text', name: 'geo_location' }) geoLocation!: string;
  /** 代亲属: the e-voucher holder who authorized for this card's person (null: the person themself) */
  @Column({ type: 'text', name: 'holder_name_enc', nullable: true }) holderNameEnc!: string | null;
  @Column({ type: 'text', name: 'holder_id_no_enc', nullable: true }) holderIdNoEnc!: string | null;
  @Column({ type: 'timestamptz', name: 'expires_at' }) expiresAt!: Date;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}

@Entity('orders')
export class OrderRow {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text', name: 'order_no' }) orderNo!: string;
  @Column({ type: 'text' }) openid!: string;
  @Column({ type: 'uuid', name: 'patient_id' }) patientId!: string;
  @Column({ type: 'text', name: 'his_patient_id' }) hisPatientId!: string;
  @Column({ type: 'text' }) status!: OrderStatus;
  @Column({ type: 'integer' }) version!: number;
  @Column({ type: 'boolean', name: 'use_insurance' }) useInsurance!: boolean;
  @Column({ type: 'jsonb', name: 'bill_nos' }) billNos!: string[];
  @Column({ type: 'jsonb', name: 'fee_lines' }) feeLines!: FeeLine[];
  @Column({ type: 'bigint', name: 'total_fen', transformer: fenTransformer }) totalFen!: number;
  @Column({ type: 'bigint', name: 'fund_fen', transformer: fenTransformer }) fundFen!: number;
  /** of fundFen, what funds other than 统筹 paid (WeChat's med_ins_other_fee) */
  @Column({ type: 'bigint', name: 'fund_other_fen', transformer: fenTransformer }) fundOtherFen!: number;
  @Column({ type: 'bigint', name: 'account_fen', transformer: fenTransformer }) accountFen!: number;
  @Column({ type: 'bigint', name: 'cash_fen', transformer: fenTransformer }) cashFen!: number;
  @Column({ type: 'bigint', name: 'refunded_fen', transformer: fenTransformer }) refundedFen!: number;
  @Column({ type: 'uuid', name: 'authorization_id', nullable: true }) authorizationId!: string | null;
  @Column({ type: 'text', name: 'pay_ord_id', nullable: true }) payOrdId!: string | null;
  @Column({ type: 'text', name: 'pay_token', nullable: true }) payToken!: string | null;
  @Column({ type: 'text', name: 'setl_id', nullable: true }) setlId!: string | null;
  @Column({ type: 'text', name: 'prepay_id', nullable: true }) prepayId!: string | null;
  @Column({ type: 'text', name: 'mix_trade_no', nullable: true }) mixTradeNo!: string | null;
  @Column({ type: 'text', name: 'transaction_id', nullable: true }) transactionId!: string | null;
  @Column({ type: 'text', name: 'receipt_no', nullable: true }) receiptNo!: string | null;
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError!: string | null;
  /** the bills' department(s) at checkout, joined with 、 (null on orders made before it was recorded) */
  @Column({ type: 'text', nullable: true }) dept!: string | null;
  @Column({ type: 'text', nullable: true }) outcome!: OrderOutcome | null;
  /** held by the risk rules until a cashier approves it (server/services/risk) */
  @Column({ type: 'text', name: 'risk_hold', nullable: true }) riskHold!: 'REVIEW' | 'STEP_UP' | null;
  @Column({ type: 'timestamptz', name: 'expires_at' }) expiresAt!: Date;
  @Column({ type: 'timestamptz', name: 'payment_started_at', nullable: true }) paymentStartedAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'paid_at', nullable: true }) paidAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'next_check_at', nullable: true }) nextCheckAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}

@Entity('order_events')
export class OrderEventRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'uuid', name: 'order_id' }) orderId!: string;
  @Column({ type: 'text', name: 'from_status', nullable: true }) fromStatus!: string | null;
  @Column({ type: 'text', name: 'to_status' }) toStatus!: string;
  @Column({ type: 'text' }) actor!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text', name: 'external_ref', nullable: true }) externalRef!: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}

@Entity('ledger_entries')
export class LedgerEntryRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'uuid', name: 'posting_id' }) postingId!: string;
  @Column({ type: 'uuid', name: 'order_id' }) orderId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) account!: string;
  @Column({ type: 'char', length: 1 }) direction!: 'D' | 'C';
  @Column({ type: 'bigint', name: 'amount_fen', transformer: fenTransformer }) amountFen!: number;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}

export type OutboxStatus = 'PENDING' | 'DONE' | 'DEAD';

@Entity('outbox')
export class OutboxRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'uuid', name: 'order_id', nullable: true }) orderId!: string | null;
  @Column({ type: 'text', name: 'dedupe_key' }) dedupeKey!: string;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ type: 'text' }) status!: OutboxStatus;
  @Column({ type: 'integer' }) attempts!: number;
  @Column({ type: 'timestamptz', name: 'next_attempt_at' }) nextAttemptAt!: Date;
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError!: string | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}

@Entity('idempotency_keys')
export class IdempotencyKeyRow {
  @PrimaryColumn({ type: 'text' }) scope!: string;
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'text', name: 'request_hash' }) requestHash!: string;
  @Column({ type: 'integer', name: 'status_code' }) statusCode!: number;
  @Column({ type: 'jsonb' }) response!: unknown;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}

@Entity('received_notifications')
export class ReceivedNotificationRow {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text', name: 'event_type' }) eventType!: string;
  @Column({ type: 'text', name: 'out_trade_no', nullable: true }) outTradeNo!: string | null;
  @Column({ type: 'timestamptz', name: 'received_at' }) receivedAt!: Date;
}

export const ENTITIES = [
  PatientRow,
  InsuranceAuthorizationRow,
  OrderRow,
  OrderEventRow,
  LedgerEntryRow,
  OutboxRow,
  IdempotencyKeyRow,
  ReceivedNotificationRow,
];
