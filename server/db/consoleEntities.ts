/**
 * The cashier console's tables: its users (password + TOTP, disabled, must change password, session epoch) and
 * the append-only audit log. Login failures per (user, address) are in console_login_failures (lockout.ts).
 */
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
  /** a disabled user cannot log in, and its sessions end at once (session_epoch is raised with it) */
  @Column({ type: 'timestamptz', name: 'disabled_at', nullable: true }) disabledAt!: Date | null;
  /** set by a supervisor's password reset: until changed, the user's session may only change the password */
  @Column({ type: 'boolean', name: 'must_change_password' }) mustChangePassword!: boolean;
  /** every session carries the epoch it was made in; raising it ends them all (disable, reset, re-enrolment) */
  @Column({ type: 'integer', name: 'session_epoch' }) sessionEpoch!: number;
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
  /** a plain Chinese sentence for the people reading the trail; null on older rows and routine actions */
  @Column({ type: 'text', nullable: true }) description!: string | null;
}

export const CONSOLE_ENTITIES = [ConsoleUserRow, AuditLogRow];
