/** The cashier console's tables: its users (password + TOTP, lockout) and the append-only audit log. */
import 'reflect-metadata';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ConsoleRole } from '../../shared/api';

@Entity('console_users')
export class ConsoleUserRow {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) username!: string;
  /** `scrypt$N$r$p$salt$hash` (salt and hash base64url): the parameters travel with the hash */
  @Column({ type: 'text', name: 'password_hash' }) passwordHash!: string;
  /** the base32 TOTP secret, sealed by the PII vault */
  @Column({ type: 'text', name: 'totp_secret_enc' }) totpSecretEnc!: string;
  @Column({ type: 'text' }) role!: ConsoleRole;
  @Column({ type: 'integer', name: 'failed_attempts' }) failedAttempts!: number;
  @Column({ type: 'timestamptz', name: 'locked_until', nullable: true }) lockedUntil!: Date | null;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}

@Entity('audit_log')
export class AuditLogRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'text' }) actor!: string;
  @Column({ type: 'text' }) role!: string;
  @Column({ type: 'text' }) action!: string;
  @Column({ type: 'text', nullable: true }) target!: string | null;
  @Column({ type: 'jsonb' }) details!: Record<string, unknown>;
  @Column({ type: 'text', name: 'request_id', nullable: true }) requestId!: string | null;
}

export const CONSOLE_ENTITIES = [ConsoleUserRow, AuditLogRow];
