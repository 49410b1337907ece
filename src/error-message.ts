import { isApiError } from 'blocks-kit/client';

/** A sentence a person can act on, from whatever a call threw. */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 401) return 'Your session has ended. Sign in again.';
    if (error.status === 403) return 'You do not have access to this. Ask an admin to add you to the admins group.';
    if (error.status === 400 && Array.isArray((error.data as { issues?: unknown })?.issues)) {
      const issues = (error.data as { issues: { message: string }[] }).issues;
      return issues.map((issue) => issue.message).join('. ');
    }
    if (error.status >= 500) return `Something went wrong on the server${error.requestId ? ` (request ${error.requestId})` : ''}. Try again.`;
    return error.message;
  }
  if (error instanceof TypeError) return 'Cannot reach the server. Check your connection and try again.';
  return 'Something went wrong. Try again.';
}
