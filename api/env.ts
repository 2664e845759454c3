// What every handler can reach: the injected dependencies and, after requireSession, the caller.
import type { Classifier } from '../models/node/classifier.ts';
import type { Config } from './config.ts';
import type { Db } from './db/types.ts';
import type { Session, SessionStore, User } from './auth/sessions.ts';

export interface Deps {
  db: Db;
  classifier: Pick<Classifier, 'analyse'>;
  config: Config;
  sessions: SessionStore;
  now: () => Date;
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    user: User;
    session: Session;
  };
}
