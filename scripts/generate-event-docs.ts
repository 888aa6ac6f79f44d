import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderEventDocs } from './eventDocs.js';

/** `npm run docs:events`: rewrites docs/events.md from the event schemas. */
const target = fileURLToPath(new URL('../docs/events.md', import.meta.url));
writeFileSync(target, renderEventDocs());
console.log(`wrote ${target}`);
