import { loadUser } from '../commands/users.js';
import type { CommandDeps } from '../commands/handleCommand.js';
import type { Author } from './frames.js';

/**
 * Authors for frames. Events carry only user ids; usernames and emails never
 * change once registered, so a looked-up author stays valid and a bounded
 * cache (oldest entry out first) saves a store read per frame.
 */
export class UserDirectory {
  private readonly authors = new Map<string, Promise<Author>>();

  constructor(
    private readonly commands: CommandDeps,
    private readonly maxEntries = 10_000,
  ) {}

  author(userId: string): Promise<Author> {
    const cached = this.authors.get(userId);
    if (cached) return cached;
    const lookup = loadUser(this.commands, userId).then(
      (user) => (user ? { id: userId, username: user.username, email: user.email } : { id: userId, username: '', email: '' }),
      (error: unknown) => {
        // A failed read must not be remembered.
        this.authors.delete(userId);
        throw error;
      },
    );
    this.authors.set(userId, lookup);
    if (this.authors.size > this.maxEntries) this.authors.delete(this.authors.keys().next().value!);
    return lookup;
  }
}
