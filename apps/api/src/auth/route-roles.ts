import { SetMetadata } from '@nestjs/common';
import type { Role } from '@dane/core';

/** What a route needs: a key of at least a role, or nothing at all ('open'). */
export type RouteAccess = Role | 'open';

export interface RoutePolicy {
  access: RouteAccess;
  /** Counts against AUTH.RATE_LIMIT_PER_MINUTE (the submission routes). */
  rateLimited?: boolean;
}

/**
 * Every route of the API and the role it needs, by `Controller.handler`: one table to review.
 * Legacy GET aliases that change things (…/delete, task actions, mass reset) need the same role as
 * their POST/DELETE forms. A route missing here needs read for GET and operate for anything else.
 */
export const ROUTE_POLICIES: Readonly<Record<string, RoutePolicy>> = {
  'HealthController.health': { access: 'open' },
  'HealthController.ready': { access: 'open' },

  'DocumentController.register': { access: 'submit', rateLimited: true },
  'DocumentController.legacySearch': { access: 'read' },
  'DocumentController.get': { access: 'read' },
  'DocumentController.delete': { access: 'operate' },
  'DocumentController.legacyDelete': { access: 'operate' },
  'DocumentController.tasksOf': { access: 'read' },

  'DocumentsController.registerMany': { access: 'submit', rateLimited: true },
  'DocumentsController.getMany': { access: 'read' },
  'DocumentsController.deleteMany': { access: 'operate' },

  'SearchController.searchDocuments': { access: 'read' },
  'SearchController.documentIds': { access: 'read' },

  'TaskController.assign': { access: 'submit', rateLimited: true },
  'TaskController.unfinished': { access: 'read' },
  'TaskController.inProgress': { access: 'read' },
  'TaskController.get': { access: 'read' },
  'TaskController.delete': { access: 'operate' },
  'TaskController.legacyDelete': { access: 'operate' },
  'TaskController.documentOf': { access: 'read' },
  'TaskController.resultsOf': { access: 'read' },
  'TaskController.saveResult': { access: 'submit' },
  'TaskController.act': { access: 'operate' },
  'TaskController.actByPost': { access: 'operate' },
  'TaskController.cancel': { access: 'operate' },
  'TaskController.cancelMany': { access: 'operate' },

  'ResultController.save': { access: 'submit' },
  'ResultController.get': { access: 'read' },
  'ResultController.delete': { access: 'operate' },
  'ResultController.legacyDelete': { access: 'operate' },
  'ResultsController.find': { access: 'read' },

  'WorkerController.list': { access: 'read' },
  'WorkerController.errored': { access: 'read' },
  'WorkerController.massReset': { access: 'operate' },
  'WorkerController.massResetState': { access: 'operate' },

  'CreatorController.docs': { access: 'read' },
  'CreatorController.tasksOf': { access: 'read' },
  'CreatorController.resultsOf': { access: 'read' },

  'StatsController.tasksByKeyAndState': { access: 'read' },

  // The dashboard page and its script hold no data; what they show comes from the read routes.
  'DashboardController.page': { access: 'open' },
  'DashboardController.script': { access: 'open' },
  'DashboardController.events': { access: 'read' },
  'DashboardController.snapshot': { access: 'read' },
  'DashboardController.tasks': { access: 'read' },
  'DashboardController.queues': { access: 'read' },

  'KeysController.create': { access: 'admin' },
  'KeysController.list': { access: 'admin' },
  'KeysController.revoke': { access: 'admin' },
};

export const ROUTE_POLICY_METADATA = 'dane:route-policy';

/** For a new route: declare its role beside it instead of in the table (the decorator wins). */
export const RequireRole = (access: RouteAccess, options: { rateLimited?: boolean } = {}) =>
  SetMetadata(ROUTE_POLICY_METADATA, { access, rateLimited: options.rateLimited } satisfies RoutePolicy);

/** The fail-safe default of a route nobody listed: read for safe methods, operate otherwise. */
export function defaultPolicy(method: string): RoutePolicy {
  return { access: isSafeMethod(method) ? 'read' : 'operate' };
}

export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
