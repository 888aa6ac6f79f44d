import { useMutation, useQueryClient } from '@tanstack/react-query';
import { joinThread, leaveThread } from '../api/endpoints.js';

/** Join and leave, refreshing the thread list and the thread afterwards. */
export function useThreadActions(threadId: string) {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['threads'] }),
      queryClient.invalidateQueries({ queryKey: ['thread', threadId] }),
    ]);
  const join = useMutation({ mutationFn: () => joinThread(threadId), onSuccess: refresh });
  const leave = useMutation({ mutationFn: () => leaveThread(threadId), onSuccess: refresh });
  return { join, leave };
}
