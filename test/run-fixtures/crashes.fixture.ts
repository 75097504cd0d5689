// A file that throws while it is imported, before any test (used by test/run.test.ts).
throw new Error('broken at import')
