import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { inviteToThread } from '../api/endpoints.js';
import type { ThreadDetail, UserRef } from '../api/types.js';
import { errorText } from '../ui/ErrorNotice.js';
import { useThreadActions } from '../threads/useThreadActions.js';

interface MembersPanelProps {
  thread: ThreadDetail;
  online: UserRef[];
  canInvite: boolean;
}

export function MembersPanel({ thread, online, canInvite }: MembersPanelProps) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [invitee, setInvitee] = useState('');
  const onlineIds = new Set(online.map((u) => u.id));
  const { leave } = useThreadActions(thread.id);
  const invite = useMutation({
    mutationFn: (user: string) => inviteToThread(thread.id, user),
    onSuccess: async () => {
      setInvitee('');
      await queryClient.invalidateQueries({ queryKey: ['thread', thread.id] });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (invitee.trim()) invite.mutate(invitee.trim());
  }

  return (
    <section className="members-panel" aria-labelledby="members-heading">
      <h3 id="members-heading">Members ({thread.members.length})</h3>
      <ul className="members">
        {thread.members.map((member) => (
          <li key={member.user.id}>
            <span className={onlineIds.has(member.user.id) ? 'presence presence--online' : 'presence'} aria-hidden="true" />
            {member.user.username}
            {onlineIds.has(member.user.id) && <span className="sr-only"> (online)</span>}
            {member.role !== 'member' && <span className="badge">{member.role}</span>}
          </li>
        ))}
      </ul>
      {canInvite && (
        <form onSubmit={submit} className="stack">
          <label htmlFor="invite-user">Invite a user (username)</label>
          <div className="row">
            <input id="invite-user" required value={invitee} onChange={(e) => setInvitee(e.target.value)} />
            <button type="submit" disabled={invite.isPending}>
              Invite
            </button>
          </div>
          {invite.isSuccess && <p role="status">Invited.</p>}
          {invite.isError && (
            <p className="form-error" role="alert">
              {errorText(invite.error)}
            </p>
          )}
        </form>
      )}
      <button
        type="button"
        className="secondary"
        disabled={leave.isPending}
        onClick={() => leave.mutate(undefined, { onSuccess: () => void navigate('/') })}
      >
        Leave thread
      </button>
      {leave.isError && (
        <p className="form-error" role="alert">
          {errorText(leave.error)}
        </p>
      )}
    </section>
  );
}
