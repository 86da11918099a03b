/** Refunds and their legs (DESIGN 5). State changes go through guarded UPDATEs in server/services/refunds. */
import 'reflect-metadata';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { fenTransformer } from './columns';
import type { RefundLegKind, RefundLegStatus, RefundStatus } from '../domain/refunds';

@Entity('refunds')
export class RefundRow {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'uuid', name: 'order_id' }) orderId!: string;
  /** our out_refund_no everywhere: WeChat, 6203 appRefdSn, the med-ins notice and the HIS */
  @Column({ type: 'text', name: 'refund_no' }) refundNo!: string;
  @Column({ type: 'integer' }) sequence!: number;
  @Column({ type: 'text' }) status!: RefundStatus;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text' }) actor!: string;
  /** the patient's refund request this refund was made for (unique: one refund per request) */
  @Column({ type: 'uuid', name: 'refund_request_id', nullable: true }) refundRequestId!: string | null;
  @Column({ type: 'bigint', name: 'total_fen', transformer: fenTransformer }) totalFen!: number;
  @Column({ type: 'bigint', name: 'fund_fen', transformer: fenTransformer }) fundFen!: number;
  @Column({ type: 'bigint', name: 'account_fen', transformer: fenTransformer }) accountFen!: number;
  @Column({ type: 'bigint', name: 'cash_fen', transformer: fenTransformer }) cashFen!: number;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt!: Date | null;
  /** four eyes: the supervisor who approved or rejected it, when, and (rejected) why */
  @Column({ type: 'text', name: 'decided_by', nullable: true }) decidedBy!: string | null;
  @Column({ type: 'timestamptz', name: 'decided_at', nullable: true }) decidedAt!: Date | null;
  @Column({ type: 'text', name: 'decision_reason', nullable: true }) decisionReason!: string | null;
}

@Entity('refund_legs')
export class RefundLegRow {
  @PrimaryColumn({ type: 'uuid', name: 'refund_id' }) refundId!: string;
  @PrimaryColumn({ type: 'text' }) kind!: RefundLegKind;
  @Column({ type: 'bigint', name: 'amount_fen', transformer: fenTransformer }) amountFen!: number;
  @Column({ type: 'text' }) status!: RefundLegStatus;
  /** the party's reference: WeChat refund_id, 6203 appRefdSn, the HIS refund receipt */
  @Column({ type: 'text', name: 'external_ref', nullable: true }) externalRef!: string | null;
  @Column({ type: 'text', name: 'last_error', nullable: true }) lastError!: string | null;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt!: Date | null;
}

export const REFUND_ENTITIES = [RefundRow, RefundLegRow];
