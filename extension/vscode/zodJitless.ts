// Imported first by extension.ts, before any schema exists. zod probes the `navigator` global before it
// compiles fast parsers, and VS Code's extension host logs an error for every read of that Node global;
// zod's interpreted parsers are fast enough for the hub's frame rates.
import { config } from 'zod';

config({ jitless: true });
