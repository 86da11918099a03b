import type { PiiVault } from '../security/vault';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock';
import type { Settings } from '../../config/settings';
import type { EphemeralStore } from '../ephemeral/port';
import type {
  HisGateway,
  InsuranceGateway,
  MiniProgramGateway,
  SmsGateway,
  WeChatPayGateway,
} from '../gateways/ports';

/** What every use case may use; built once by the app and handed to services. */
export interface Deps {
  db: DataSource;
  store: EphemeralStore;
  clock: Clock;
  settings: Settings;
  insurance: InsuranceGateway;
  his: HisGateway;
  wechat: WeChatPayGateway;
  /** the hospital's SMS platform (card-binding codes) */
  sms: SmsGateway;
  /** WeChat's mini-program server API: the access token and subscribe messages to patients */
  miniProgram: MiniProgramGateway;
  pii: PiiVault;
  logger: Logger;
  /** asks the background jobs to run soon (after a commit that queued outbox work); no-op when jobs are off */
  kickJobs?: () => void;
}
