import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { createThread } from '../api/endpoints.js';
import type { Visibility } from '../api/types.js';
import { errorText } from '../ui/ErrorNotice.js';

export function CreateThreadForm() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const create = useMutation({
    mutationFn: () => createThread({ title: title.trim(), visibility }),
    onSuccess: async (thread) => {
      setTitle('');
      await queryClient.invalidateQueries({ queryKey: ['threads'] });
      void navigate(`/threads/${encodeURIComponent(thread.id)}`);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (title.trim()) create.mutate();
  }

  return (
    <form onSubmit={submit} className="stack create-thread" aria-labelledby="create-thread-heading">
      <h3 id="create-thread-heading">New thread</h3>
      <label htmlFor="new-thread-title">Title</label>
      <input id="new-thread-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="new-thread-visibility">Visibility</label>
      <select id="new-thread-visibility" value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
        <option value="public">Public: anyone can join</option>
        <option value="private">Private: by invitation</option>
      </select>
      {create.isError && (
        <p className="form-error" role="alert">
          {errorText(create.error)}
        </p>
      )}
      <button type="submit" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create thread'}
      </button>
    </form>
  );
}
