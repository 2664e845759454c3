// What every handler can reach: the injected dependencies and, after requireSession, the caller.
import type { Detector } from '../models/node/server-classifier.ts';
import type { Config } from './config.ts';
import type { Db } from './db/types.ts';
import type { Passwords } from './auth/password.ts';
import type { Session, SessionStore, User } from './auth/sessions.ts';
import type { Counter } from './limits/counter.ts';
import type { DetectionLog } from './detections.ts';
import type { FormPart } from './series/multipart.ts';

export interface Deps {
  db: Db;
  classifier: Detector;
  config: Config;
  sessions: SessionStore;
  now: () => Date;
  passwords: Passwords;
  /** Failed-login counters (in the database: shared by every instance). */
  loginCounter: Counter;
  /** /detect counters (in memory: per instance). */
  detectCounter: Counter;
  /** Server detections, written in groups under load. */
  detectionLog: DetectionLog;
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    user: User;
    session: Session;
    /** POST /detect: the multipart form's parts, read by detect/read-upload.ts (readForm). */
    formParts?: FormPart[];
  };
}
