// The REST API's gate: a management token, checked before any route runs. A client token is refused with 403 and
// a message saying what it is for; anything else with 401 and the challenge.

import type { NextFunction, Request, Response } from 'express';
import { ServiceError } from '../errors.js';
import { managementRefusal } from './challenge.js';
import type { Credentials } from './credentials.js';
import type { Operator } from './principals.js';

export function requireManagementToken(credentials: Credentials) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const check = await credentials.management(req.headers.authorization);
    if (!check.ok) {
      const refusal = managementRefusal(check.reason);
      res.status(refusal.status).set(refusal.headers).json(new ServiceError(refusal.code, refusal.message).toJSON());
      return;
    }
    res.locals.operator = check.principal;
    next();
  };
}

/** The operator the gate admitted. */
export function operatorOf(res: Response): Operator {
  const op = res.locals.operator as Operator | undefined;
  if (!op) throw new ServiceError('internal', 'REST route reached without a management token');
  return op;
}
