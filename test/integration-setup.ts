// Integration tests talk to a real broker and database: allow them time, bounded.
jest.setTimeout(120_000);
