import { fetchAuthSession } from 'aws-amplify/auth';
import { useEffect, useState } from 'react';

/**
 * The user's Cognito groups from the ID token. Only for showing or hiding UI:
 * the Blocks API enforces access on its own (403 for non-admins).
 */
export function useGroups(userId: string): string[] {
  const [groups, setGroups] = useState<string[]>([]);
  useEffect(() => {
    let active = true;
    fetchAuthSession()
      .then(({ tokens }) => {
        const claim = tokens?.idToken?.payload['cognito:groups'];
        if (active) setGroups(Array.isArray(claim) ? claim.filter((g): g is string => typeof g === 'string') : []);
      })
      .catch(() => active && setGroups([]));
    return () => {
      active = false;
    };
  }, [userId]);
  return groups;
}
